package strait.proxy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Which target producer id stands in for each source producer id after the switch: the proxy rewrites the producer
 * id of every batch a crossed producer sends to the target, so nothing lands under an id the target issued to
 * someone else (both clusters issue ids from the same number space).
 *
 * <p>The mapping is by producer id; the epoch and the sequences stay the client's. The target has no state for a
 * freshly allocated id, so it accepts the producer's epoch and its next sequence as they are, and an epoch the Java
 * client bumps on its own (it does so after some errors, without asking a broker) keeps the same target id.
 *
 * <p>Text form, for persisting: a JSON array of {@code [sourceProducerId, targetProducerId]} pairs sorted by source
 * id, e.g. {@code [[0,1000],[7,1001]]}; {@link #parse} reads it back.
 *
 * <p>Immutable; any thread.
 */
public final class ProducerIdMapping {

    private static final ProducerIdMapping EMPTY = new ProducerIdMapping(new long[0], new long[0]);

    private final long[] sources;
    private final long[] targets;

    private ProducerIdMapping(long[] sources, long[] targets) {
        this.sources = sources;
        this.targets = targets;
    }

    public static ProducerIdMapping empty() {
        return EMPTY;
    }

    /**
     * @param sourceToTarget source producer id to target producer id; both non-negative, no target id twice
     * @throws IllegalArgumentException on a negative id or two source ids sharing a target id
     */
    public static ProducerIdMapping of(Map<Long, Long> sourceToTarget) {
        long[] sources = new long[sourceToTarget.size()];
        int i = 0;
        for (long source : sourceToTarget.keySet()) {
            sources[i++] = source;
        }
        Arrays.sort(sources);
        long[] targets = new long[sources.length];
        for (i = 0; i < sources.length; i++) {
            targets[i] = sourceToTarget.get(sources[i]);
            if (sources[i] < 0 || targets[i] < 0) {
                throw new IllegalArgumentException(
                        "producer ids are not negative: " + sources[i] + " -> " + targets[i]);
            }
        }
        long[] sortedTargets = targets.clone();
        Arrays.sort(sortedTargets);
        for (i = 1; i < sortedTargets.length; i++) {
            if (sortedTargets[i] == sortedTargets[i - 1]) {
                throw new IllegalArgumentException(
                        "target producer id " + sortedTargets[i] + " stands in for two source producer ids");
            }
        }
        return new ProducerIdMapping(sources, targets);
    }

    /** The target producer id standing in for {@code sourceProducerId}, if it is mapped. */
    public OptionalLong targetOf(long sourceProducerId) {
        int at = Arrays.binarySearch(sources, sourceProducerId);
        return at < 0 ? OptionalLong.empty() : OptionalLong.of(targets[at]);
    }

    /** The target id for {@code sourceProducerId}, or {@code -1} when it is not mapped (for the hot path). */
    public long targetOrNone(long sourceProducerId) {
        int at = Arrays.binarySearch(sources, sourceProducerId);
        return at < 0 ? -1 : targets[at];
    }

    /** Whether {@code producerId} is a source producer id of this mapping. */
    public boolean isSource(long producerId) {
        return Arrays.binarySearch(sources, producerId) >= 0;
    }

    public int size() {
        return sources.length;
    }

    public boolean isEmpty() {
        return sources.length == 0;
    }

    /** Source id to target id, in source id order. */
    public Map<Long, Long> asMap() {
        Map<Long, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < sources.length; i++) {
            map.put(sources[i], targets[i]);
        }
        return map;
    }

    /**
     * This mapping and {@code other} together.
     *
     * @throws IllegalArgumentException when they map one source id differently, or give one target id twice
     */
    public ProducerIdMapping with(ProducerIdMapping other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Map<Long, Long> merged = asMap();
        other.asMap().forEach((source, target) -> {
            Long before = merged.putIfAbsent(source, target);
            if (before != null && before.longValue() != target) {
                throw new IllegalArgumentException(
                        "source producer id " + source + " is mapped to both " + before + " and " + target);
            }
        });
        return of(merged);
    }

    /** The text form: {@code [[source,target],...]}. */
    public String toJson() {
        StringBuilder out = new StringBuilder(2 + sources.length * 16).append('[');
        for (int i = 0; i < sources.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append('[').append(sources[i]).append(',').append(targets[i]).append(']');
        }
        return out.append(']').toString();
    }

    /**
     * Reads the text form {@link #toJson} wrote (whitespace allowed between tokens).
     *
     * @throws IllegalArgumentException naming what is wrong and where
     */
    public static ProducerIdMapping parse(String json) {
        return new Parser(json).mapping();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProducerIdMapping other
                && Arrays.equals(sources, other.sources)
                && Arrays.equals(targets, other.targets);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(sources) + Arrays.hashCode(targets);
    }

    @Override
    public String toString() {
        return "ProducerIdMapping[" + sources.length + " producer ids]";
    }

    /** A strict reader of {@code [[long,long],...]}. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text == null ? "" : text;
        }

        ProducerIdMapping mapping() {
            Map<Long, Long> pairs = new LinkedHashMap<>();
            expect('[');
            if (peek() == ']') {
                pos++;
            } else {
                do {
                    expect('[');
                    long source = number();
                    expect(',');
                    long target = number();
                    expect(']');
                    if (pairs.put(source, target) != null) {
                        throw error("source producer id " + source + " appears twice");
                    }
                } while (comma());
                expect(']');
            }
            if (peek() != 0) {
                throw error("unexpected text after the mapping");
            }
            return of(pairs);
        }

        private boolean comma() {
            if (peek() == ',') {
                pos++;
                return true;
            }
            return false;
        }

        private char peek() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private long number() {
            peek();
            int start = pos;
            while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '-')) {
                pos++;
            }
            try {
                return Long.parseLong(text.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("expected a producer id");
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("producer id mapping: " + what + " at character " + pos);
        }
    }
}

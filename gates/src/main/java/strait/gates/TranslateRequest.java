package strait.gates;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The parameters of {@code GET /offsets/translate}, parsed strictly: each exactly once, topic a legal Kafka topic
 * name, partition a non-negative int, offset a non-negative long. Anything else is a 400 with the reason.
 */
record TranslateRequest(String topic, int partition, long offset) {

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /** The outcome of parsing: a request or why there is none. */
    sealed interface Parsed permits Valid, Invalid {}

    record Valid(TranslateRequest request) implements Parsed {}

    record Invalid(String message) implements Parsed {}

    static Parsed parse(MultiMap query) {
        String topic = single(query, "topic");
        String partition = single(query, "partition");
        String offset = single(query, "offset");
        if (topic == null || partition == null || offset == null) {
            return new Invalid("topic, partition and offset are each required exactly once");
        }
        if (!TOPIC.matcher(topic).matches()) {
            return new Invalid("topic must be 1 to 249 characters of [a-zA-Z0-9._-]");
        }
        long p = parseNonNegative(partition, Integer.MAX_VALUE);
        if (p < 0) {
            return new Invalid("partition must be an integer from 0 to " + Integer.MAX_VALUE);
        }
        long o = parseNonNegative(offset, Long.MAX_VALUE);
        if (o < 0) {
            return new Invalid("offset must be an integer from 0 to " + Long.MAX_VALUE);
        }
        return new Valid(new TranslateRequest(topic, (int) p, o));
    }

    private static String single(MultiMap query, String name) {
        List<String> values = query.getAll(name);
        return values.size() == 1 ? values.get(0) : null;
    }

    /** The value, or -1 when it is not a plain decimal in {@code 0..max}. */
    private static long parseNonNegative(String text, long max) {
        if (text.isEmpty() || text.length() > 19) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            long value = Long.parseLong(text);
            return value <= max ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

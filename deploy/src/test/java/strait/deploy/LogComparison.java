package strait.deploy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Counts, rather than asserts, how a partition's target log differs from its source log, by record content (which a
 * test makes unique per record): what is lost, duplicated, out of order or on the target without a source record.
 * Each difference is charged to the window of source offsets it falls in (the fault under way when the record was
 * written), so a table can say which fault did it.
 */
final class LogComparison {

    /** What one window's source records became on the target. */
    record Counts(long source, long lost, long duplicated, long outOfOrder, long unknown) {

        static final Counts NONE = new Counts(0, 0, 0, 0, 0);

        Counts plus(Counts o) {
            return new Counts(
                    source + o.source,
                    lost + o.lost,
                    duplicated + o.duplicated,
                    outOfOrder + o.outOfOrder,
                    unknown + o.unknown);
        }

        boolean clean() {
            return lost == 0 && duplicated == 0 && outOfOrder == 0 && unknown == 0;
        }
    }

    private LogComparison() {}

    /**
     * Compares one partition. {@code windows} maps the first source offset of each window to its name; records below
     * the first window's start are charged to it. Target records that match no source record count as
     * {@code unknown} in the last window.
     */
    static Map<String, Counts> compare(
            List<ConsumerRecord<byte[], byte[]>> source,
            List<ConsumerRecord<byte[], byte[]>> target,
            NavigableMap<Long, String> windows) {
        Map<String, Long> sourceOffsetOf = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : source) {
            sourceOffsetOf.put(PartitionLogs.content(r), r.offset());
        }
        Map<Long, Integer> copies = new HashMap<>();
        Map<String, long[]> counts = new HashMap<>();
        long highest = -1;
        for (ConsumerRecord<byte[], byte[]> r : target) {
            Long s = sourceOffsetOf.get(PartitionLogs.content(r));
            if (s == null) {
                counts(counts, windows.lastEntry().getValue())[4]++;
                continue;
            }
            int n = copies.merge(s, 1, Integer::sum);
            if (n > 1) {
                counts(counts, window(windows, s))[2]++;
            } else if (s < highest) {
                counts(counts, window(windows, s))[3]++;
            }
            highest = Math.max(highest, s);
        }
        for (ConsumerRecord<byte[], byte[]> r : source) {
            long[] c = counts(counts, window(windows, r.offset()));
            c[0]++;
            if (!copies.containsKey(r.offset())) {
                c[1]++;
            }
        }
        Map<String, Counts> result = new HashMap<>();
        counts.forEach((name, c) -> result.put(name, new Counts(c[0], c[1], c[2], c[3], c[4])));
        return result;
    }

    private static String window(NavigableMap<Long, String> windows, long offset) {
        Map.Entry<Long, String> e = windows.floorEntry(offset);
        return e == null ? windows.firstEntry().getValue() : e.getValue();
    }

    private static long[] counts(Map<String, long[]> counts, String window) {
        return counts.computeIfAbsent(window, w -> new long[5]);
    }
}

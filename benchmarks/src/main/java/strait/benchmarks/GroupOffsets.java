package strait.benchmarks;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer groups committed part-way on the source, and the arithmetic of how far a translated offset is from the
 * exact one. Pure functions are static and tested.
 */
final class GroupOffsets {

    /** Records a consumer resuming at a translated offset would read twice, or never, on one partition. */
    record Error(long reread, long skipped) {
        static final Error NONE = new Error(0, 0);

        /**
         * {@code exact} is the target offset of the first record at or after the committed source offset: resuming
         * below it re-reads {@code exact - translated} records, above it skips {@code translated - exact}.
         */
        static Error of(long translated, long exact) {
            return translated <= exact ? new Error(exact - translated, 0) : new Error(0, translated - exact);
        }

        Error plus(Error other) {
            return new Error(reread + other.reread, skipped + other.skipped);
        }
    }

    /** One group's outcome, summed over partitions. */
    record GroupResult(String group, long reread, long skipped, int missing, int unverified) {
        boolean exact() {
            return reread == 0 && skipped == 0 && missing == 0 && unverified == 0;
        }

        @Override
        public String toString() {
            String s = group + ": re-read " + reread + ", skipped " + skipped;
            if (missing > 0) {
                s += ", " + missing + " partition(s) without translation";
            }
            if (unverified > 0) {
                s += ", " + unverified + " exact position(s) not verified by content";
            }
            return s;
        }
    }

    private GroupOffsets() {}

    /**
     * Committed positions of group {@code index} (0-based) of {@code groups}: about (index+1)/(groups+1) of each
     * partition's end, varied per partition, always strictly inside the partition.
     */
    static Map<Integer, Long> positions(int index, int groups, Map<Integer, Long> endOffsets, long seed) {
        SplittableRandom random = new SplittableRandom(seed * 31 + index);
        double fraction = (index + 1.0) / (groups + 1.0);
        Map<Integer, Long> positions = new HashMap<>();
        endOffsets.forEach((partition, end) -> {
            if (end < 2) {
                positions.put(partition, 0L);
                return;
            }
            double jitter = (random.nextDouble() - 0.5) * 0.1;
            long position = Math.round(end * (fraction + jitter));
            positions.put(partition, Math.max(1, Math.min(end - 1, position)));
        });
        return positions;
    }

    static void commit(Admin source, String group, String topic, Map<Integer, Long> positions)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        positions.forEach((p, o) -> offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
        source.alterConsumerGroupOffsets(group, offsets).all().get();
    }
}

package strait.gates;

import java.util.Objects;
import java.util.Optional;

/**
 * How far one replicated source partition is behind, computed from offsets (DESIGN §6), not only timestamps.
 *
 * @param sourceEnd the source partition's end offset (next offset to be written there)
 * @param replicated the next source offset not yet on the target
 * @param targetEnd the target partition's end offset
 * @param lagRecords records on the source not yet on the target
 * @param lagMs age of the oldest unreplicated record; 0 when caught up
 * @param stoppedReason why copying of this partition stopped (a reconcile mismatch, say); empty while it runs
 * @param recordsForwarded records this process copied on the byte path (batches forwarded as bytes)
 * @param recordsEncoded records this process copied on the record path (decoded and encoded again)
 */
public record PartitionLag(
        String topic,
        int partition,
        long sourceEnd,
        long replicated,
        long targetEnd,
        long lagRecords,
        long lagMs,
        Optional<String> stoppedReason,
        long recordsForwarded,
        long recordsEncoded) {

    public PartitionLag {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(stoppedReason, "stoppedReason");
    }

    /** A partition whose copy counts by path are not known. */
    public PartitionLag(
            String topic,
            int partition,
            long sourceEnd,
            long replicated,
            long targetEnd,
            long lagRecords,
            long lagMs,
            Optional<String> stoppedReason) {
        this(topic, partition, sourceEnd, replicated, targetEnd, lagRecords, lagMs, stoppedReason, 0, 0);
    }

    /** A running partition. */
    public static PartitionLag running(
            String topic, int partition, long sourceEnd, long replicated, long targetEnd, long lagRecords, long lagMs) {
        return new PartitionLag(
                topic, partition, sourceEnd, replicated, targetEnd, lagRecords, lagMs, Optional.empty());
    }

    public boolean stopped() {
        return stoppedReason.isPresent();
    }
}

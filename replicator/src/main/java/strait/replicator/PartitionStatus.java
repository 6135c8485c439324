package strait.replicator;

/**
 * One partition in a {@link ReplicatorStatus} snapshot. Immutable.
 *
 * @param sourceEnd     the source's last stable offset (read_committed end), -1 before the first refresh
 * @param replicated    next source offset not yet on the target (the offset map's replicated position), -1 unknown
 * @param targetEnd     the target partition's end offset, -1 before the first refresh
 * @param lagRecords    {@code max(0, sourceEnd - replicated)}; offsets, so markers and gaps count until passed
 * @param lagMs         age of the oldest unreplicated record, 0 when caught up
 * @param stoppedReason why the partition is not written, or {@code null} while it is not stopped
 * @param recordsForwarded records this process wrote from forwarded source batches (the byte path)
 * @param recordsEncoded records this process decoded and encoded again (the record path, or a fallback batch)
 */
public record PartitionStatus(
        String topic,
        int partition,
        long sourceEnd,
        long replicated,
        long targetEnd,
        long lagRecords,
        long lagMs,
        PartitionRunState state,
        String stoppedReason,
        long recordsForwarded,
        long recordsEncoded) {}

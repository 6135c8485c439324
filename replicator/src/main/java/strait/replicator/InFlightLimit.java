package strait.replicator;

/**
 * How much of one partition may wait between fetch and ack: a fetcher leaves a partition out of its fetches once its
 * chunks hold more than {@code replication.queue.max.bytes} or nearly fill the {@link
 * PartitionState#MAX_CHUNKS_IN_FLIGHT} ring, and fetches it again only once both have drained to half. So a slow or
 * retrying target partition holds memory for itself alone, and a paused partition does not flap with every ack.
 *
 * <p>One rule for both fetchers. Immutable; it reads the partition's in-flight counters (written by the fetcher and
 * the sender threads), so it may be asked on any thread, in practice the fetcher's.
 */
final class InFlightLimit {

    private final long maxBytes;

    InFlightLimit(long maxBytesInFlight) {
        this.maxBytes = maxBytesInFlight;
    }

    /** Whether the partition must not be fetched until it drains: asked after each chunk handed to the sender. */
    boolean full(PartitionState ps) {
        return ps.bytesInFlight.get() > maxBytes || ps.chunksInFlight() >= PartitionState.MAX_CHUNKS_IN_FLIGHT - 1;
    }

    /** Whether a paused partition has drained enough to be fetched again. */
    boolean drained(PartitionState ps) {
        return ps.bytesInFlight.get() <= maxBytes / 2 && ps.chunksInFlight() <= PartitionState.MAX_CHUNKS_IN_FLIGHT / 2;
    }
}

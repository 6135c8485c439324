package strait.replicator;

import java.util.List;

/**
 * Which of a partition's forwarded batches the sender writes together as one batch of records (decision 0016). A
 * produce request carries one batch per partition and a partition's next batch waits for the ack of the one before
 * (decision 0004), so a partition is copied at one source batch per round trip to the target. A producer that sends
 * as soon as it can ({@code linger.ms} 0, a steady rate) makes batches of one record or a few: at a paced 10,000
 * records/s over 8 partitions and 8-17 ms round trips on a loaded target, that is about 4,000 records/s, and the
 * backlog grows for as long as the load lasts. So when a small forwarded batch has small ones queued behind it, they
 * are decoded and written as one, as Kafka's producer batches what accumulated while its requests were in flight; a
 * small batch with nothing behind it still goes as its bytes.
 *
 * <p>Stateless; called on the sender thread.
 */
final class SmallBatches {

    /** A forwarded batch with fewer records than this... */
    static final int SMALL_RECORDS = 32;
    /** ...and fewer bytes than this is small: decoding it costs less than the round trip it would take alone. */
    static final int SMALL_BYTES = 16 * 1024;

    private SmallBatches() {}

    /**
     * How many batches from {@code from} on to write as one: the run of small forwarded batches of one codec starting
     * there, at most {@code maxBytes} of them; 0 when that run is shorter than two (the batch is forwarded as it is).
     */
    static int run(List<SourceBatch> batches, int from, int maxBytes) {
        if (!(batches.get(from) instanceof SourceBatch.Forward first) || !small(first)) {
            return 0;
        }
        int codec = SourceBatches.codecId(first);
        long bytes = 0;
        int n = 0;
        for (int i = from; i < batches.size(); i++) {
            if (!(batches.get(i) instanceof SourceBatch.Forward f)
                    || !small(f)
                    || SourceBatches.codecId(f) != codec
                    || bytes + f.sizeInBytes() > maxBytes) {
                break;
            }
            bytes += f.sizeInBytes();
            n++;
        }
        return n >= 2 ? n : 0;
    }

    private static boolean small(SourceBatch.Forward batch) {
        return batch.count() < SMALL_RECORDS && batch.sizeInBytes() < SMALL_BYTES;
    }
}

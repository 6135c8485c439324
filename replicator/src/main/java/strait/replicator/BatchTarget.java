package strait.replicator;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Where a sender's batches go: the target partitions' leaders, one attempt per call. The seam between the sender's
 * rules (order, retry, halve, refuse, the map) and the network; {@link TargetWriter} is the one real implementation.
 *
 * <p>Threads: confined to its sender thread.
 */
interface BatchTarget extends AutoCloseable {

    /** One batch for one partition, made by a {@link BatchEncoder}: its first {@code records} records. */
    record Batch(TopicPartition tp, MemoryRecords memory, int records) {
        int sizeInBytes() {
            return memory.sizeInBytes();
        }
    }

    /** What became of one batch of a {@link #write}. */
    sealed interface Result {
        /** Appended at {@code baseOffset} onwards, in order. */
        record Acked(long baseOffset) implements Result {}

        /** Refused or lost on the way; {@code error} says which (a {@code RetriableException} may be retried). */
        record Failed(KafkaException error) implements Result {}

        /** Not sent this time: the request to its leader was full. */
        record Deferred() implements Result {}
    }

    /**
     * Looks up the leaders of {@code topics}' partitions and connects to them, waiting at most about a second: what
     * the first {@link #write} to them would otherwise begin with. A hint; failures are left to the writes.
     */
    default void prepare(Collection<String> topics) {}

    /** Sends the batches, at most one per partition, and returns what became of each. Blocks until answered. */
    Map<TopicPartition, Result> write(List<Batch> batches);

    /** The encoder for batches this target takes (the link's producer id, the configured codec and request size). */
    BatchEncoder encoder();

    /** How long a batch may be retried ({@code delivery.timeout.ms}). */
    long deliveryTimeoutMs();

    /** The pause between retries ({@code retry.backoff.ms}). */
    long retryBackoffMs();

    @Override
    void close();
}

package strait.replicator;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * A fetch thread of a copy path: reads its assigned source partitions at {@code read_committed} and hands each
 * partition's batches to the sender as {@link Chunk}s, pausing a partition whose chunks in flight exceed
 * {@code replication.queue.max.bytes} or {@link PartitionState#MAX_CHUNKS_IN_FLIGHT}. {@link PartitionFetcher}
 * reads records with a consumer; {@link RawBatchFetcher} reads the source's v2 batches as bytes.
 *
 * <p>Threads: {@link #run} is the fetch thread; {@link #assign}, {@link #unassign} and {@link #close} may be called
 * from any thread and only enqueue commands the fetch thread applies.
 */
interface SourceFetcher extends Runnable {

    /** Called when a fetch error stops a partition. */
    interface StopListener {
        void stop(PartitionState partition, String kind, String side, String reason);
    }

    /** Looks up the leaders of {@code topics} and connects to them ahead of their assignment; a hint. */
    default void prepare(Set<String> topics) {}

    /** Start fetching {@code partition} at {@code position} for assignment generation {@code epoch}. */
    void assign(PartitionState partition, long position, int epoch);

    /** Stop fetching {@code tp}. */
    void unassign(TopicPartition tp);

    /** Ends {@link #run} soon; the fetch thread closes its clients. */
    void close();
}

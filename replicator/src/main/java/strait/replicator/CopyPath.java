package strait.replicator;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * How the records of the assigned partitions get from the source to the target, and into each partition's offset
 * map. The controller decides which partitions are copied from where; a path only copies, so discovery,
 * reconciliation, fencing and status do not depend on how. {@link PipelineCopyPath} is the one implementation; its
 * fetchers read bytes or records ({@code replication.path}), its senders write either.
 *
 * <p>A path reports back through the controller's {@link SourceFetcher.StopListener} and
 * {@link BatchingSender.Listener} callbacks. While a partition is assigned, the path's writer thread is the only
 * writer of its map.
 *
 * <p>Threads: {@link #prepare}, {@link #assign} and {@link #unassign} from the admin worker (unassign also from the stop callbacks);
 * {@link #start} and {@link #close} by the owner.
 */
interface CopyPath extends AutoCloseable {

    /** Starts the path's threads. */
    void start();

    /**
     * The topics whose partitions are about to be assigned (reconciliation comes first): the path looks up their
     * leaders on both sides and connects to them meanwhile, so the first fetch and the first write do not begin with
     * that. A hint: nothing is fetched or written for it.
     */
    void prepare(Set<String> topics);

    /** Copies {@code partition} from {@code sourceOffset} on; work of older epochs of the partition is dropped. */
    void assign(PartitionState partition, long sourceOffset, int epoch);

    /** Stops copying the partition; what is already in flight is dropped by its epoch. */
    void unassign(TopicPartition tp);

    /** Finishes the batch in flight (sent, acked, persisted) and stops every thread; bounded, idempotent. */
    @Override
    void close();

    /**
     * After {@link #close}: whether every thread ended and nothing the path sent can still land on the target (no
     * send ever failed), so the next instance of the link need not wait before reading the target.
     */
    boolean quiescent();
}

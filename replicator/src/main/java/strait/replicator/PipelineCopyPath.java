package strait.replicator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.StraitConfig;
import strait.offsets.OffsetMapStore;
import strait.offsets.WriterId;

/**
 * The copy path: fetch threads hand the source's batches through a JCTools SPSC queue to sender threads, whose
 * link's {@link TargetWriter} ({@code acks=all}) writes them to the same topic and partition on the target, each
 * batch numbered with the target offset it must land at. With {@code replication.path=auto} the fetcher is a
 * {@link RawBatchFetcher} (the byte path: v2 batches forwarded as bytes, a batch at a time falling back to records);
 * with {@code record} a {@link PartitionFetcher} (a {@code read_committed} consumer decodes every record and the
 * writer encodes it again). Works with every security setting the Kafka clients support.
 *
 * <p>{@code replication.pipelines} such fetcher/queue/sender pipelines run side by side. A partition always goes to
 * the same one ({@link #pipelineIndex}), so its map keeps a single writer however often it is reassigned.
 *
 * <p>Threads: per pipeline {@code i}, one fetch thread ({@code strait-fetcher-i}, a {@link SourceFetcher}) and one
 * sender thread ({@code strait-sender-i}, {@link BatchingSender}, the writer of the maps of that pipeline's
 * partitions); the queue between them is their only shared state. Pipelines share the fence, the offsets store and
 * the metrics, which are safe for that.
 */
final class PipelineCopyPath implements CopyPath {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineCopyPath.class);
    private static final int QUEUE_CHUNKS = 4096;
    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    /** One fetcher, its queue and its sender, with their threads. */
    private record Pipeline(SourceFetcher fetcher, BatchingSender sender, Thread fetchThread, Thread sendThread) {}

    private final List<Pipeline> pipelines = new ArrayList<>();
    private final boolean bytePath;
    private boolean closed;

    /** A path ready to {@link #start}; start it right away, as the fetchers' consumers are already open. */
    PipelineCopyPath(
            StraitConfig config,
            OffsetMapStore store,
            WriterId writer,
            Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters,
            ReplicatorMetrics metrics,
            LinkFence fence,
            ReplicationController controller) {
        String link = config.linkName();
        Map<String, Object> targetProps = config.targetClientProps();
        int count = config.getInt(StraitConfig.REPLICATION_PIPELINES);
        this.bytePath = "auto".equals(config.getString(StraitConfig.REPLICATION_PATH));
        for (int i = 0; i < count; i++) {
            // Distinct client ids when there are several, so the clients' JMX names do not collide.
            String suffix = count == 1 ? "" : "-" + i;
            SpscArrayQueue<Chunk> queue = new SpscArrayQueue<>(QUEUE_CHUNKS);
            String fetcherId = "strait-" + link + "-fetcher" + suffix;
            long maxBytes = config.getLong(StraitConfig.REPLICATION_QUEUE_MAX_BYTES);
            SourceFetcher fetcher = bytePath
                    ? new RawBatchFetcher(config.sourceClientProps(), fetcherId, queue, maxBytes, metrics, controller)
                    : new PartitionFetcher(
                            fetchConsumer(config.sourceClientProps(), fetcherId), queue, maxBytes, metrics, controller);
            String senderId = "strait-" + link + "-sender" + suffix;
            BatchingSender sender = new BatchingSender(
                    () -> new TargetWriter(targetProps, senderId, writer),
                    queue,
                    config.getInt(StraitConfig.REPLICATION_BATCH_MAX_RECORDS),
                    store::persist,
                    meters,
                    metrics,
                    fence,
                    controller);
            pipelines.add(new Pipeline(
                    fetcher,
                    sender,
                    new Thread(fetcher, "strait-fetcher-" + i),
                    new Thread(sender, "strait-sender-" + i)));
        }
    }

    /**
     * Which of {@code count} pipelines copies {@code tp}: fixed for the partition, and a topic's partitions take the
     * pipelines in turn.
     */
    static int pipelineIndex(TopicPartition tp, int count) {
        return Math.floorMod(tp.topic().hashCode() + tp.partition(), count);
    }

    private Pipeline pipelineOf(TopicPartition tp) {
        return pipelines.get(pipelineIndex(tp, pipelines.size()));
    }

    @Override
    public void start() {
        LOG.info(
                "{}: {} fetcher/sender pipeline(s)",
                bytePath ? "byte path (record path per batch where needed)" : "record path",
                pipelines.size());
        for (Pipeline p : pipelines) {
            p.fetchThread().start();
            p.sendThread().start();
        }
    }

    @Override
    public void prepare(Set<String> topics) {
        for (Pipeline p : pipelines) {
            p.fetcher().prepare(topics);
            p.sender().prepare(topics);
        }
    }

    @Override
    public void assign(PartitionState partition, long sourceOffset, int epoch) {
        pipelineOf(partition.tp).fetcher().assign(partition, sourceOffset, epoch);
    }

    @Override
    public void unassign(TopicPartition tp) {
        pipelineOf(tp).fetcher().unassign(tp);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pipelines.forEach(p -> p.fetcher().close());
        pipelines.forEach(p -> join(p.fetchThread()));
        pipelines.forEach(p -> p.sender().close());
        pipelines.forEach(p -> join(p.sendThread()));
    }

    @Override
    public synchronized boolean quiescent() {
        return closed
                && pipelines.stream()
                        .allMatch(p -> !p.fetchThread().isAlive()
                                && !p.sendThread().isAlive()
                                && p.sender().endedCleanly());
    }

    private static void join(Thread thread) {
        if (!thread.isAlive()) {
            return;
        }
        try {
            thread.join(STOP_WAIT.toMillis());
            if (thread.isAlive()) {
                LOG.warn("{} did not stop within {} s", thread.getName(), STOP_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static KafkaConsumer<byte[], byte[]> fetchConsumer(Map<String, Object> sourceProps, String clientId) {
        Map<String, Object> props = new HashMap<>(sourceProps);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        return TailReconciler.consumer(props, "read_committed", clientId);
    }
}

package strait.replicator;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.StraitConfig;
import strait.offsets.OffsetMapStore;

/**
 * The record path (DESIGN §2.1): a {@code read_committed} consumer decodes the source records, a JCTools SPSC queue
 * hands them over, and an idempotent producer ({@code acks=all}) encodes them again for the same topic and partition
 * on the target. Works with every security setting the Kafka clients support.
 *
 * <p>Threads: one fetch thread ({@code strait-fetcher}, {@link PartitionFetcher}) and one sender thread
 * ({@code strait-sender}, {@link BatchingSender}, the writer of every assigned partition's map); the queue between
 * them is their only shared state.
 */
final class RecordCopyPath implements CopyPath {

    private static final Logger LOG = LoggerFactory.getLogger(RecordCopyPath.class);
    private static final int QUEUE_CHUNKS = 4096;
    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    private final PartitionFetcher fetcher;
    private final BatchingSender sender;
    private final Thread fetchThread;
    private final Thread sendThread;
    private boolean closed;

    /** A path ready to {@link #start}; start it right away, as the fetcher's consumer is already open. */
    RecordCopyPath(StraitConfig config, OffsetMapStore store,
            Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters, ReplicatorMetrics metrics, LinkFence fence,
            ReplicationController controller) {
        String link = config.linkName();
        Map<String, Object> targetProps = config.targetClientProps();
        SpscArrayQueue<Chunk> queue = new SpscArrayQueue<>(QUEUE_CHUNKS);
        fetcher = new PartitionFetcher(fetchConsumer(config.sourceClientProps(), link), queue,
                config.getLong(StraitConfig.REPLICATION_QUEUE_MAX_BYTES), metrics, controller);
        sender = new BatchingSender(() -> producer(targetProps, link), queue,
                config.getInt(StraitConfig.REPLICATION_BATCH_MAX_RECORDS), store, meters, fence, controller);
        fetchThread = new Thread(fetcher, "strait-fetcher");
        sendThread = new Thread(sender, "strait-sender");
    }

    @Override
    public void start() {
        fetchThread.start();
        sendThread.start();
    }

    @Override
    public void assign(PartitionState partition, long sourceOffset, int epoch) {
        fetcher.assign(partition, sourceOffset, epoch);
    }

    @Override
    public void unassign(TopicPartition tp) {
        fetcher.unassign(tp);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        fetcher.close();
        join(fetchThread);
        sender.close();
        join(sendThread);
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

    private static KafkaConsumer<byte[], byte[]> fetchConsumer(Map<String, Object> sourceProps, String link) {
        Map<String, Object> props = new HashMap<>(sourceProps);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        return TailReconciler.consumer(props, "read_committed", "strait-" + link + "-fetcher");
    }

    private static Producer<byte[], byte[]> producer(Map<String, Object> targetProps, String link) {
        Map<String, Object> props = new HashMap<>(targetProps);
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "strait-" + link + "-sender");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}

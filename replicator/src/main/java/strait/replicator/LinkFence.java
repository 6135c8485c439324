package strait.replicator;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps two instances of one link from writing the same partitions. On {@link #acquire} a transactional producer with
 * the link's {@code transactional.id} calls {@code initTransactions()}, which bumps the producer epoch and fences the
 * fence producer of any older instance. Before each chunk it sends, a sender asks {@link #check}; at most every
 * {@link #CHECK_INTERVAL} that proves the fence is still held by committing a one-record transaction to
 * {@code <link.name>.fence.internal}; an older instance learns it was fenced there ({@code ProducerFencedException})
 * and stops writing.
 *
 * <p>Residual window (documented, not closed): the data producer is not transactional, so an older instance that
 * was frozen longer than the new instance's {@link #GRACE} (a long GC pause, a paused VM), or whose producer kept
 * retrying through a network partition, can still land what its producer held. Such records are detected, not
 * prevented (docs/decisions/0003): before the new instance reconciles, the pairing matches them or stops on the
 * mismatch; after, the new instance's next ack, or its status refresh for a quiet partition, finds them and stops
 * the partition ({@link ForeignWriteException}).
 *
 * <p>Threads: {@link #acquire} on the starting thread, {@link #check} on the sender threads (any number),
 * {@link #close} after they ended.
 */
final class LinkFence implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LinkFence.class);
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    static final Duration GRACE = CHECK_INTERVAL.multipliedBy(3);

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ReentrantLock proving = new ReentrantLock();
    /** When the fence was last proven held (acquiring counts); written under {@link #proving}. */
    private volatile long lastCheckNanos = System.nanoTime();
    private volatile String fencedBy;

    private LinkFence(String topic, KafkaProducer<byte[], byte[]> producer) {
        this.topic = topic;
        this.producer = producer;
    }

    static String topicName(String linkName) {
        return linkName + ".fence.internal";
    }

    /** Creates the fence topic when missing and fences every older instance of the link. Blocks. */
    static LinkFence acquire(Admin targetAdmin, Map<String, Object> targetClientProps, String linkName) {
        String topic = topicName(linkName);
        try {
            targetAdmin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of("cleanup.policy", "delete", "retention.ms", "3600000"))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new ReplicatorException("cannot create the fence topic " + topic + ": "
                        + Failures.describe(e), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicatorException("interrupted creating " + topic, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ReplicatorException("timed out creating the fence topic " + topic, e);
        }
        Map<String, Object> props = new HashMap<>(targetClientProps);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "strait-" + linkName + "-fence");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "strait-" + linkName + "-fence");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw new ReplicatorException("cannot acquire the link fence (transactional id "
                    + props.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG) + "): " + Failures.describe(e), e);
        }
        LOG.info("acquired the fence of link {} (older instances of it are fenced)", linkName);
        return new LinkFence(topic, producer);
    }

    /**
     * When an instance of this link last proved it held the fence: the newest record (or marker) on the fence topic.
     * Empty when there is none. Blocks; called on the starting thread after {@link #acquire}.
     */
    java.util.Optional<java.time.Instant> lastCheckByAnyInstance(Admin targetAdmin) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try {
            ListOffsetsResult.ListOffsetsResultInfo newest = targetAdmin
                    .listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).partitionResult(tp).get(30, TimeUnit.SECONDS);
            return newest.offset() < 0 || newest.timestamp() < 0 ? java.util.Optional.empty()
                    : java.util.Optional.of(java.time.Instant.ofEpochMilli(newest.timestamp()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicatorException("interrupted reading the fence topic " + topic, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new ReplicatorException("cannot read the fence topic " + topic + ": " + Failures.describe(e), e);
        }
    }

    /** What a {@link #check} proved. */
    enum Verdict {
        /** This instance holds the fence: write. */
        HELD,
        /** The check could not reach the target: do not write yet, check again. */
        UNPROVEN,
        /** Another instance took over: never write again. */
        FENCED
    }

    /**
     * Sender threads: whether this instance may write. Lock-free while the last proof is younger than
     * {@link #CHECK_INTERVAL}; otherwise one caller round-trips to the target while the others wait for its result.
     */
    Verdict check() {
        if (fencedBy != null) {
            return Verdict.FENCED;
        }
        if (System.nanoTime() - lastCheckNanos < CHECK_INTERVAL.toNanos()) {
            return Verdict.HELD;
        }
        // Once per interval, off the per-batch path: the transactional producer runs one transaction at a time, so
        // the sender threads take turns here and a thread that waited finds the proof the previous one made.
        proving.lock();
        try {
            return prove();
        } finally {
            proving.unlock();
        }
    }

    private Verdict prove() {
        if (fencedBy != null) {
            return Verdict.FENCED;
        }
        long now = System.nanoTime();
        if (now - lastCheckNanos < CHECK_INTERVAL.toNanos()) {
            return Verdict.HELD;
        }
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, null, new byte[0]));
            producer.commitTransaction();
            lastCheckNanos = now;
            return Verdict.HELD;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fencedBy = "another instance of this link took over (fenced): " + Failures.describe(e);
            return Verdict.FENCED;
        } catch (KafkaException e) {
            LOG.warn("fence check failed, not writing until it succeeds: {}", Failures.describe(e));
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                LOG.debug("abort after a failed fence check failed: {}", Failures.describe(abortFailed));
            }
            return Verdict.UNPROVEN;
        }
    }

    /** Why this instance was fenced, or null. */
    String fencedBy() {
        return fencedBy;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

package strait.replicator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.TopicScope;

/**
 * Keeps two instances of one link from writing the same partitions. On {@link #acquire} a transactional producer with
 * the link's {@code transactional.id} calls {@code initTransactions()}, which bumps the producer epoch and fences the
 * fence producer of any older instance. Before each round it sends, a sender asks {@link #check}; at most every
 * {@link #CHECK_INTERVAL} that proves the fence is still held by committing a one-record transaction to
 * {@code <link.name>.fence.internal}; an older instance learns it was fenced there ({@code ProducerFencedException})
 * and stops writing. A new instance waits {@link #GRACE} before reading the target when the newest committed record
 * there is a recent proof, not when it is the release a cleanly stopped instance commits last ({@link #release}).
 *
 * <p>The lease stops a replaced instance at its next check; it cannot stop what an instance frozen longer than the
 * new one's {@link #GRACE} (a long GC pause, a paused VM) sends on waking. That is made harmless by the writer, not
 * the fence: every instance writes as the link's producer and numbers each record with its target offset, so the
 * leader takes a late batch only if its records are exactly the partition's next (docs/decisions/0004).
 *
 * <p>Threads: {@link #acquire} on the starting thread (when the fence topic exists, the last word's reader is built and
 * connected meanwhile on a {@link WarmedReader} thread), {@link #lastWord} on the starting thread after it, {@link #check} on the sender threads
 * (any number, one at a time under {@code proving}, which guards the producer), {@link #close} after they ended.
 *
 * <p>A fence producer left unusable by a fatal error that is not a fence (its transaction coordinator frozen past
 * the transaction timeout) is replaced by a new one at the next check, as on {@link #acquire}; until then, and while
 * that fails, nothing is written.
 */
final class LinkFence implements BatchingSender.Fence, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LinkFence.class);
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    static final Duration GRACE = CHECK_INTERVAL.multipliedBy(3);

    /** The value of a release record; a proof's value is empty. */
    static final byte[] RELEASED = "released".getBytes(StandardCharsets.UTF_8);

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** Between reads of a fence topic the target's metadata does not know yet. */
    private static final Duration METADATA_RETRY = Duration.ofMillis(50);

    /** The longest a failing check stays quiet in the log once its first failure was logged. */
    private static final Duration FAILURE_LOG_INTERVAL = Duration.ofMinutes(1);

    private final String topic;
    private final String clientId;
    private final Map<String, Object> clientProps;
    /** The fence producer's configuration, to build it again after a fatal error. */
    private final Map<String, Object> producerProps;

    private final ReentrantLock proving = new ReentrantLock();
    /** The fence producer; null while one must be built again ({@link #reacquire}). Guarded by {@link #proving}. */
    private KafkaProducer<byte[], byte[]> producer;
    /** When the checks began failing (0 while they succeed), and when that was last logged. Guarded by {@link #proving}. */
    private long failingSinceNanos;

    private long failureLoggedNanos;
    /**
     * The fence topic's offset at and below which nothing is another instance's proof: this instance's last proof,
     * or the end before its first ({@link #lastWord}). Guarded by {@link #proving}.
     */
    private long ownedUpTo = -1;
    /** When the fence was last proven held (acquiring counts); written under {@link #proving}. */
    private volatile long lastCheckNanos = System.nanoTime();

    private volatile String fencedBy;
    /** The fence topic's reader warmed up during {@link #acquire}, for the first {@link #lastWord}; then null. */
    private WarmedReader warmReader;

    private LinkFence(
            String topic,
            String clientId,
            Map<String, Object> clientProps,
            Map<String, Object> producerProps,
            KafkaProducer<byte[], byte[]> producer,
            WarmedReader warmReader) {
        this.topic = topic;
        this.clientId = clientId;
        this.clientProps = clientProps;
        this.producerProps = producerProps;
        this.producer = producer;
        this.warmReader = warmReader;
    }

    static String topicName(String linkName) {
        return TopicScope.fenceTopic(linkName);
    }

    /**
     * Creates the fence topic when missing and fences every older instance of the link. Blocks. The topic is created
     * while the fence producer initialises (they do not depend on each other: {@code initTransactions} talks to the
     * transaction coordinator, not to this topic), and exists when this returns.
     */
    static LinkFence acquire(Admin targetAdmin, Map<String, Object> targetClientProps, String linkName) {
        String topic = topicName(linkName);
        String clientId = "strait-" + linkName + "-fence";
        // When the topic exists already (a restart), the reader of its last word is built and connected meanwhile
        // too; it reads only after the fence is held. A topic just created is empty: no reader is needed.
        AtomicReference<WarmedReader> warmed = new AtomicReference<>();
        KafkaFuture<Void> created = targetAdmin
                .createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                        .configs(Map.of("cleanup.policy", "delete", "retention.ms", "3600000"))))
                .all()
                .whenComplete((ok, error) -> {
                    if (error instanceof TopicExistsException
                            || (error != null && error.getCause() instanceof TopicExistsException)) {
                        warmed.set(WarmedReader.start(
                                targetClientProps, "read_committed", clientId + "-read", new TopicPartition(topic, 0)));
                    }
                });
        Map<String, Object> props = new HashMap<>(targetClientProps);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "strait-" + linkName + "-fence");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "strait-" + linkName + "-fence");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
            awaitCreated(created, topic);
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            release(warmed.get());
            throw new ReplicatorException(
                    "cannot acquire the link fence (transactional id "
                            + props.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG) + "): " + Failures.describe(e),
                    e);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            release(warmed.get());
            throw e;
        }
        LOG.info("acquired the fence of link {} (older instances of it are fenced)", linkName);
        return new LinkFence(topic, clientId, new HashMap<>(targetClientProps), props, producer, warmed.get());
    }

    private static void release(WarmedReader reader) {
        if (reader != null) {
            reader.release();
        }
    }

    /** Waits for the fence topic's creation; one that exists already is as good. */
    private static void awaitCreated(KafkaFuture<Void> created, String topic) {
        try {
            created.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new ReplicatorException(
                        "cannot create the fence topic " + topic + ": " + Failures.describe(e), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicatorException("interrupted creating " + topic, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ReplicatorException("timed out creating the fence topic " + topic, e);
        }
    }

    private void pause(Duration how) {
        try {
            Thread.sleep(how.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicatorException("interrupted reading the fence topic " + topic, e);
        }
    }

    /** The newest thing an instance of the link committed to the fence topic: a proof, or a clean release. */
    record LastWord(java.time.Instant at, boolean released) {}

    /**
     * The newest proof or release committed to the fence topic, read with {@code read_committed}; empty when there is
     * none. When the tail holds no committed record (only aborted checks), the newest timestamp stands as a proof.
     * Blocks; called on the starting thread after {@link #acquire}.
     */
    java.util.Optional<LastWord> lastWord(Admin targetAdmin) {
        TopicPartition tp = new TopicPartition(topic, 0);
        long begin;
        long end;
        long boundsDeadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (true) {
            try {
                // Both bounds at once from the admin client, which is connected already: on a new link the topic is
                // empty and no consumer is needed at all.
                ListOffsetsOptions committed = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
                KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo> first = targetAdmin
                        .listOffsets(Map.of(tp, OffsetSpec.earliest()), committed)
                        .partitionResult(tp);
                KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo> last = targetAdmin
                        .listOffsets(Map.of(tp, OffsetSpec.latest()), committed)
                        .partitionResult(tp);
                begin = first.get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .offset();
                end = last.get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).offset();
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReplicatorException("interrupted reading the fence topic " + topic, e);
            } catch (ExecutionException e) {
                // A topic just created may not be in every broker's metadata yet: the admin client does not wait.
                if (e.getCause() instanceof UnknownTopicOrPartitionException && System.nanoTime() < boundsDeadline) {
                    pause(METADATA_RETRY);
                    continue;
                }
                throw new ReplicatorException("cannot read the fence topic " + topic + ": " + Failures.describe(e), e);
            } catch (java.util.concurrent.TimeoutException | KafkaException e) {
                throw new ReplicatorException("cannot read the fence topic " + topic + ": " + Failures.describe(e), e);
            }
        }
        proving.lock();
        try {
            ownedUpTo = end - 1;
        } finally {
            proving.unlock();
        }
        WarmedReader warm = warmReader;
        warmReader = null;
        if (end <= begin) {
            release(warm);
            return java.util.Optional.empty();
        }
        try (KafkaConsumer<byte[], byte[]> consumer = warm != null
                ? warm.take()
                : TailReconciler.boundedReader(clientProps, "read_committed", clientId + "-read")) {
            consumer.assign(List.of(tp));
            // Each proof is a one-record transaction: a record and its marker.
            consumer.seek(tp, Math.max(begin, end - 20));
            ConsumerRecord<byte[], byte[]> last = null;
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (consumer.position(tp, READ_TIMEOUT) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r :
                        consumer.poll(Duration.ofMillis(100)).records(tp)) {
                    last = r;
                }
            }
            if (last != null) {
                return java.util.Optional.of(new LastWord(
                        java.time.Instant.ofEpochMilli(last.timestamp()), Arrays.equals(last.value(), RELEASED)));
            }
            ListOffsetsResult.ListOffsetsResultInfo newest = targetAdmin
                    .listOffsets(Map.of(tp, OffsetSpec.maxTimestamp()))
                    .partitionResult(tp)
                    .get(30, TimeUnit.SECONDS);
            return newest.offset() < 0 || newest.timestamp() < 0
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(new LastWord(java.time.Instant.ofEpochMilli(newest.timestamp()), false));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicatorException("interrupted reading the fence topic " + topic, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
            throw new ReplicatorException("cannot read the fence topic " + topic + ": " + Failures.describe(e), e);
        }
    }

    /**
     * Tells the next instance it need not wait: called once this instance's senders have ended with nothing of theirs
     * that could still land on the target. Commits a release record; when that fails (or this instance was fenced)
     * the next instance simply waits the grace.
     */
    void release() {
        proving.lock();
        try {
            if (fencedBy != null || producer == null) {
                return;
            }
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, null, RELEASED));
            producer.commitTransaction();
            LOG.info("released the fence ({}): the link's next instance starts without waiting", topic);
        } catch (KafkaException e) {
            LOG.warn(
                    "could not release the fence (the next instance waits {} s): {}",
                    GRACE.toSeconds(),
                    Failures.describe(e));
        } finally {
            proving.unlock();
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
    @Override
    public Verdict check() {
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
        if (producer == null && !reacquire()) {
            return fencedBy != null ? Verdict.FENCED : Verdict.UNPROVEN;
        }
        try {
            producer.beginTransaction();
            Future<RecordMetadata> proof = producer.send(new ProducerRecord<>(topic, 0, null, new byte[0]));
            producer.commitTransaction();
            lastCheckNanos = now;
            // Committed, so the send completed: its offset is known without waiting.
            ownedUpTo = Math.max(ownedUpTo, proof.get().offset());
            if (failingSinceNanos != 0) {
                LOG.info(
                        "fence check succeeds again after {} s: writing",
                        TimeUnit.NANOSECONDS.toSeconds(now - failingSinceNanos));
                failingSinceNanos = 0;
            }
            return Verdict.HELD;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReplicatorException("interrupted proving the fence", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a committed proof's send failed", e);
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fencedBy = "another instance of this link took over (fenced): " + Failures.describe(e);
            return Verdict.FENCED;
        } catch (KafkaException e) {
            logFailure(now, "fence check failed, not writing until it succeeds: " + Failures.describe(e));
            try {
                producer.abortTransaction();
            } catch (TimeoutException abortTimedOut) {
                // Still usable: the abort is retried by the next check's beginTransaction.
                LOG.debug("abort after a failed fence check timed out: {}", Failures.describe(abortTimedOut));
            } catch (KafkaException abortFailed) {
                // A fatal error (seen when the target's transaction coordinator was frozen past the transaction
                // timeout): this producer can never prove anything again. Build a new one at the next check.
                LOG.warn(
                        "the fence producer cannot be used again ({}); acquiring the fence anew",
                        Failures.describe(abortFailed));
                producer.close(Duration.ZERO);
                producer = null;
            }
            return Verdict.UNPROVEN;
        }
    }

    /**
     * Builds the fence producer again and calls {@code initTransactions()}, which fences any other instance's, as
     * {@link #acquire} did. Only after this producer failed fatally, and only when no other instance has committed a
     * proof since this one's last ({@link #proofAfterOwn}): an instance frozen past its transaction timeout while a
     * newer one took over must stop, not fence the newer one. Returns whether the fence is held again; when not,
     * {@link #fencedBy} says whether another instance holds it, else the next check tries again.
     */
    private boolean reacquire() {
        Optional<String> other;
        try {
            other = proofAfterOwn();
        } catch (KafkaException e) {
            logFailure(
                    System.nanoTime(),
                    "cannot read the fence topic " + topic + " before acquiring the fence anew, not writing: "
                            + Failures.describe(e));
            return false;
        }
        if (other.isPresent()) {
            fencedBy = "another instance of this link took over: " + other.get();
            return false;
        }
        KafkaProducer<byte[], byte[]> fresh =
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            fresh.initTransactions();
            producer = fresh;
            LOG.warn("acquired the fence of {} anew with a new producer", topic);
            return true;
        } catch (KafkaException e) {
            fresh.close(Duration.ZERO);
            logFailure(System.nanoTime(), "cannot acquire the fence anew, not writing: " + Failures.describe(e));
            return false;
        }
    }

    /**
     * A proof committed to the fence topic after this instance's own last one, which only another instance of the link
     * can have written (this one's failed attempts are aborted, invisible to {@code read_committed}); empty when there
     * is none. A committed proof of this instance reported as failed would read as another's: this instance then
     * stops writing, which is the safe side.
     */
    private Optional<String> proofAfterOwn() {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer =
                TailReconciler.boundedReader(clientProps, "read_committed", clientId + "-recheck")) {
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), READ_TIMEOUT).getOrDefault(tp, 0L);
            long from = Math.max(
                    ownedUpTo + 1,
                    consumer.beginningOffsets(List.of(tp), READ_TIMEOUT).get(tp));
            consumer.seek(tp, from);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (consumer.position(tp, READ_TIMEOUT) < end) {
                for (ConsumerRecord<byte[], byte[]> r :
                        consumer.poll(Duration.ofMillis(100)).records(tp)) {
                    return Optional.of("it committed a fence proof at offset " + r.offset() + " ("
                            + java.time.Instant.ofEpochMilli(r.timestamp()) + ") after this instance's last, at "
                            + ownedUpTo);
                }
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(
                            "reading " + tp + " to " + end + " took over " + READ_TIMEOUT.toMillis() + " ms");
                }
            }
            return Optional.empty();
        }
    }

    /** Logs the first failure of a run of failed checks, then at most once per {@link #FAILURE_LOG_INTERVAL}. */
    private void logFailure(long now, String message) {
        if (failingSinceNanos == 0) {
            failingSinceNanos = now;
        } else if (now - failureLoggedNanos < FAILURE_LOG_INTERVAL.toNanos()) {
            LOG.debug(message);
            return;
        }
        failureLoggedNanos = now;
        long since = TimeUnit.NANOSECONDS.toSeconds(now - failingSinceNanos);
        LOG.warn(since == 0 ? message : message + " (failing for " + since + " s)");
    }

    @Override
    public String fencedBy() {
        return fencedBy;
    }

    @Override
    public void close() {
        WarmedReader warm = warmReader;
        warmReader = null;
        release(warm);
        proving.lock();
        try {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        } finally {
            proving.unlock();
        }
    }
}

package strait.replicator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import strait.offsets.OffsetMap;

/**
 * Decides where a partition resumes, from its persisted map and what the target really holds. Every
 * target record after the map's target position was written by this link after the map was persisted and must be, in
 * order, the next committed source record from the map's replicated position: it pairs them record by record (key,
 * value, headers, timestamp) and extends the map. Any mismatch, or a target that holds records with no map, is a
 * {@link Outcome.Stop}: never guess, never write on top.
 *
 * <p>Threads: admin worker only; owns its two consumers.
 */
final class TailReconciler implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration STALL = Duration.ofSeconds(60);
    private static final int BOUNDED_READ_WAIT_MS = 20;

    private final KafkaConsumer<byte[], byte[]> source;
    private final KafkaConsumer<byte[], byte[]> target;

    /** Where the partition resumes, or why it must not. */
    sealed interface Outcome {
        record Resume(OffsetMap map, long paired) implements Outcome {}

        record Stop(String reason) implements Outcome {}
    }

    private final Map<String, Object> sourceClientProps;
    private final String clientIdPrefix;

    TailReconciler(
            Map<String, Object> sourceClientProps, Map<String, Object> targetClientProps, String clientIdPrefix) {
        this.sourceClientProps = sourceClientProps;
        this.clientIdPrefix = clientIdPrefix;
        this.source = boundedReader(sourceClientProps, "read_committed", clientIdPrefix + "-reconcile-source");
        this.target = boundedReader(targetClientProps, "read_uncommitted", clientIdPrefix + "-reconcile-target");
    }

    /**
     * A {@link #consumer} for reading up to an end offset known beforehand (a reconciled tail, the fence topic): a
     * fetch at that end returns at once instead of after the default 500 ms wait for new data, which would otherwise
     * be paid at every start-up.
     */
    static KafkaConsumer<byte[], byte[]> boundedReader(Map<String, Object> client, String isolation, String clientId) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, BOUNDED_READ_WAIT_MS);
        return consumer(props, isolation, clientId);
    }

    static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> client, String isolation, String clientId) {
        Map<String, Object> props = new HashMap<>(client);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // Never let a metadata request of ours create a topic (brokers auto-create by default): a source topic
        // deleted while it is copied would otherwise come back at once, empty, under the same name.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Whether the source has a topic of that name, asked by name with a fresh metadata request. Unlike a listing (or
     * Kafka 4's DescribeTopicPartitions, which answers "unknown" then too), it tells a topic that is there but not
     * ours to see: {@link TopicAuthorizationException}.
     */
    boolean sourceHasTopic(String topic) {
        try (KafkaConsumer<byte[], byte[]> asker =
                boundedReader(sourceClientProps, "read_committed", clientIdPrefix + "-topic-check")) {
            return !asker.partitionsFor(topic, Duration.ofSeconds(30)).isEmpty();
        }
    }

    /** A partition's log bounds, read before reconciling it. */
    record Bounds(long sourceStart, long targetStart, long targetEnd) {}

    /**
     * The bounds of many partitions in three requests, so that starting a link of many partitions does not cost three
     * round trips per partition. Nothing else writes a partition being reconciled, so its target end stays valid.
     */
    Map<TopicPartition, Bounds> bounds(Collection<TopicPartition> tps) {
        // Assigned while asking, so the consumers can note the offsets instead of warning about foreign partitions.
        source.assign(tps);
        target.assign(tps);
        try {
            Map<TopicPartition, Long> sourceStarts = source.beginningOffsets(tps);
            Map<TopicPartition, Long> targetStarts = target.beginningOffsets(tps);
            Map<TopicPartition, Long> targetEnds = target.endOffsets(tps);
            Map<TopicPartition, Bounds> bounds = new HashMap<>();
            tps.forEach(
                    tp -> bounds.put(tp, new Bounds(sourceStarts.get(tp), targetStarts.get(tp), targetEnds.get(tp))));
            return bounds;
        } finally {
            source.assign(List.of());
            target.assign(List.of());
        }
    }

    /**
     * Reconciles one partition.
     *
     * @param persisted the map as last persisted, or null when none was
     * @param bounds the partition's bounds from {@link #bounds}
     */
    Outcome reconcile(TopicPartition tp, OffsetMap persisted, Bounds bounds) {
        List<TopicPartition> one = List.of(tp);
        source.assign(one);
        target.assign(one);
        try {
            return reconcileAssigned(tp, persisted, bounds);
        } finally {
            source.assign(List.of());
            target.assign(List.of());
        }
    }

    private Outcome reconcileAssigned(TopicPartition tp, OffsetMap persisted, Bounds bounds) {
        return ControllerDecisions.reconcileFromBounds(persisted, bounds)
                .orElseGet(() -> pair(tp, persisted, bounds.targetEnd()));
    }

    private Outcome pair(TopicPartition tp, OffsetMap map, long targetEnd) {
        source.seek(tp, map.replicatedPosition());
        target.seek(tp, map.targetPosition());
        ArrayDeque<ConsumerRecord<byte[], byte[]>> pending = new ArrayDeque<>();
        long paired = 0;
        long position = map.targetPosition();
        String reading = "target";
        try {
            while (position < targetEnd) {
                reading = "target";
                List<ConsumerRecord<byte[], byte[]>> batch = pollSome(target, tp);
                if (batch == null) {
                    return new Outcome.Stop("target partition stalled while reconciling at offset " + position);
                }
                for (ConsumerRecord<byte[], byte[]> t : batch) {
                    if (t.offset() >= targetEnd) {
                        break;
                    }
                    if (pending.isEmpty()) {
                        reading = "source";
                        List<ConsumerRecord<byte[], byte[]>> more = pollSome(source, tp);
                        if (more == null) {
                            return new Outcome.Stop("target offset " + t.offset() + " holds a record with no "
                                    + "committed source record after source offset " + map.replicatedPosition()
                                    + ": not written by this link from this source");
                        }
                        pending.addAll(more);
                    }
                    ConsumerRecord<byte[], byte[]> s = pending.poll();
                    String difference = difference(s, t);
                    if (difference != null) {
                        return new Outcome.Stop("reconciliation mismatch: target offset " + t.offset()
                                + " is not source offset " + s.offset() + " (" + difference + ")");
                    }
                    map.append(s.offset(), t.offset());
                    paired++;
                    position = t.offset() + 1;
                }
            }
        } catch (OffsetOutOfRangeException e) {
            return new Outcome.Stop(
                    reading.equals("source")
                            ? "source offset " + map.replicatedPosition() + " is no longer on the source (deleted by "
                                    + "retention before it was reconciled)"
                            : "target offset " + position
                                    + " is no longer on the target (deleted by the target's retention "
                                    + "before it was reconciled: are the records older than the target topic's retention.ms?)");
        }
        return new Outcome.Resume(map, paired);
    }

    /** The next non-empty batch of {@code tp}, or null when none arrives within {@link #STALL}. */
    private static List<ConsumerRecord<byte[], byte[]>> pollSome(
            KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp) {
        long deadline = System.nanoTime() + STALL.toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<byte[], byte[]>> records = consumer.poll(POLL).records(tp);
            if (!records.isEmpty()) {
                return records;
            }
        }
        return null;
    }

    /** Null when the two records are the same record, else the first field that differs. */
    static String difference(ConsumerRecord<byte[], byte[]> s, ConsumerRecord<byte[], byte[]> t) {
        if (!Arrays.equals(s.key(), t.key())) {
            return "key differs";
        }
        if (!Arrays.equals(s.value(), t.value())) {
            return "value differs";
        }
        if (s.timestamp() != t.timestamp()) {
            return "timestamp differs: source " + s.timestamp() + ", target " + t.timestamp();
        }
        Iterator<Header> a = s.headers().iterator();
        Iterator<Header> b = t.headers().iterator();
        while (a.hasNext() && b.hasNext()) {
            Header x = a.next();
            Header y = b.next();
            if (!x.key().equals(y.key()) || !Arrays.equals(x.value(), y.value())) {
                return "headers differ";
            }
        }
        return a.hasNext() || b.hasNext() ? "header count differs" : null;
    }

    @Override
    public void close() {
        source.close(Duration.ofSeconds(5));
        target.close(Duration.ofSeconds(5));
    }
}

package strait.offsets;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.TopicScope;

/**
 * Writes MirrorMaker 2 checkpoints of every valid translation to {@code <link.name>.checkpoints.internal} on the
 * target, partition 0 (the one {@code MirrorClient} reads), so {@code RemoteClusterUtils.translateOffsets(props,
 * "<link.name>", group, timeout)} answers with Strait's exact offsets: with MM2's default replication policy the
 * checkpoint topic of remote cluster alias {@code A} is {@code A.checkpoints.internal}, and topic names are
 * identical on both sides. Only changed checkpoints are sent. Called only from the group worker's thread.
 */
final class CheckpointWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, Map<TopicPartition, Long>> written = new HashMap<>();
    /** Checkpoints whose send failed, filled by the producer's thread: forgotten after the flush so they are re-sent. */
    private final java.util.Queue<Map.Entry<String, TopicPartition>> failed =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private CheckpointWriter(String topic, KafkaProducer<byte[], byte[]> producer) {
        this.topic = topic;
        this.producer = producer;
    }

    static String topicName(String linkName) {
        return TopicScope.checkpointsTopic(linkName);
    }

    static CheckpointWriter open(
            Admin target, Map<String, Object> targetClientProps, String linkName, Duration timeout) {
        String topic = topicName(linkName);
        try {
            AdminCalls.await(
                    target.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                                    .configs(Map.of("cleanup.policy", "compact"))))
                            .all(),
                    timeout,
                    "creating " + topic);
            LOG.info("created checkpoints topic {} on the target", topic);
        } catch (AdminCalls.AdminCallException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        Map<String, Object> props = new HashMap<>(targetClientProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "strait-checkpoints");
        return new CheckpointWriter(
                topic, new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** Sends the checkpoints that changed and waits for them. Returns how many were sent. */
    int write(List<GroupOffsets> groups) {
        int sent = 0;
        for (GroupOffsets group : groups) {
            Map<TopicPartition, Long> last = written.computeIfAbsent(group.group(), g -> new HashMap<>());
            for (PartitionOffset p : group.partitions()) {
                if (!p.valid()) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(p.topic(), p.partition());
                long downstream = p.targetOffset().getAsLong();
                Long previous = last.get(tp);
                if (previous != null && previous == downstream) {
                    continue;
                }
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                0,
                                CheckpointRecords.key(group.group(), tp),
                                CheckpointRecords.value(p.sourceOffset(), downstream, p.metadata())),
                        (m, error) -> {
                            if (error != null) {
                                failed.add(Map.entry(group.group(), tp));
                                LOG.warn(
                                        "checkpoint of group {} {} not written, will retry: {}",
                                        group.group(),
                                        tp,
                                        error.getClass().getSimpleName());
                            }
                        });
                last.put(tp, downstream);
                sent++;
            }
        }
        producer.flush();
        for (Map.Entry<String, TopicPartition> f; (f = failed.poll()) != null; ) {
            written.getOrDefault(f.getKey(), Map.of()).remove(f.getValue());
            sent--;
        }
        return sent;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

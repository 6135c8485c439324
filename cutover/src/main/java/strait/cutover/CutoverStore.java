package strait.cutover;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.config.TopicScope;

/**
 * The link's cutover record on the target, in a compacted one-partition topic ({@code <link.name>.cutover.internal}),
 * keyed by the link name: the latest record wins. It lives on the target, like the offset map, so a sidecar started
 * anywhere learns whether the link's producers already moved and never copies into partitions they now write.
 *
 * <p>Threads: {@link #open} and the first {@link #load} on the starting thread, then {@link #save} only from the
 * cutover's thread; every call blocks for its round trip.
 */
public final class CutoverStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverStore.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final String linkName;
    private final Map<String, Object> clientProps;
    private final KafkaProducer<byte[], byte[]> producer;

    private CutoverStore(String topic, String linkName, Map<String, Object> clientProps) {
        this.topic = topic;
        this.linkName = linkName;
        this.clientProps = clientProps;
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "strait-cutover-store");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Opens the store of {@code linkName}, creating its topic on the target when missing.
     *
     * @throws CutoverException naming the topic when it cannot be created or described
     */
    public static CutoverStore open(Map<String, Object> targetClientProps, String linkName) {
        String topic = TopicScope.cutoverTopic(linkName);
        Map<String, Object> props = Map.copyOf(targetClientProps);
        try (Admin admin = Admin.create(props)) {
            ensureTopic(admin, topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CutoverException("interrupted while opening " + topic, e);
        }
        return new CutoverStore(topic, linkName, props);
    }

    private static void ensureTopic(Admin admin, String topic) throws InterruptedException {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw new CutoverException(
                        "cannot describe " + topic + " on the target: " + ErrorText.describe(e.getCause()), e);
            }
        } catch (TimeoutException e) {
            throw new CutoverException("timed out describing " + topic + " on the target", e);
        }
        NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                .configs(Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0"));
        try {
            admin.createTopics(List.of(newTopic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("created cutover topic {} on the target", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new CutoverException(
                        "cannot create " + topic + " on the target: " + ErrorText.describe(e.getCause()), e);
            }
        } catch (TimeoutException e) {
            throw new CutoverException("timed out creating " + topic + " on the target", e);
        }
    }

    /** The topic this store writes. */
    public String topic() {
        return topic;
    }

    /**
     * The latest record of the link, read to the topic's end; empty when the link never ran a cutover.
     *
     * @throws CutoverException when the topic cannot be read or holds a record this version cannot read
     */
    public Optional<CutoverRecord> load() {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "strait-cutover-load");
        TopicPartition tp = new TopicPartition(topic, 0);
        byte[] latest = null;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new CutoverException(
                            "timed out reading " + topic + " on the target up to offset " + end, null);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && linkName.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        latest = record.value();
                    }
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new CutoverException("cannot read " + topic + " on the target: " + ErrorText.describe(e), e);
        }
        if (latest == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CutoverRecord.fromJson(new JsonObject(new String(latest, StandardCharsets.UTF_8))));
        } catch (DecodeException | IllegalArgumentException | NullPointerException | ClassCastException e) {
            throw new CutoverException(
                    topic + " holds a cutover record this version cannot read (" + e.getMessage()
                            + "); inspect it before starting the sidecar",
                    e);
        }
    }

    /**
     * Writes {@code record} as the link's latest and waits for the target's acknowledgement.
     *
     * @throws CutoverException when the target did not acknowledge it
     */
    public void save(CutoverRecord record) {
        byte[] key = linkName.getBytes(StandardCharsets.UTF_8);
        byte[] value = record.toJson().encode().getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(new ProducerRecord<>(topic, 0, key, value)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CutoverException("interrupted while saving the cutover state", e);
        } catch (ExecutionException e) {
            throw new CutoverException(
                    "cannot save the cutover state to " + topic + ": " + ErrorText.describe(e.getCause()), e);
        } catch (TimeoutException e) {
            throw new CutoverException("timed out saving the cutover state to " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import strait.config.StraitConfig;

/** Helpers of the replicator's integration tests: topics, producers, full reads, comparisons, polling. */
final class Fixtures {

    private Fixtures() {}

    static Map<String, String> config(String sourceBootstrap, String targetBootstrap, String topicsRegex, String link) {
        Map<String, String> props = new HashMap<>();
        props.put(StraitConfig.SOURCE_BOOTSTRAP_SERVERS, sourceBootstrap);
        props.put(StraitConfig.TARGET_BOOTSTRAP_SERVERS, targetBootstrap);
        props.put(StraitConfig.TOPICS, topicsRegex);
        props.put(StraitConfig.LINK_NAME, link);
        return props;
    }

    static String exactly(String topic) {
        return Pattern.quote(topic);
    }

    static void createTopic(Admin admin, String topic, int partitions, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs)))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Every record of {@code topic}, per partition in offset order, read up to the end offsets of now. */
    static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(
            String bootstrap, String topic, String isolation) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> out = new TreeMap<>();
            tps.forEach(tp -> out.put(tp.partition(), new ArrayList<>()));
            eventually("reading " + topic + " to its end", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.get(r.partition()).add(r);
                }
                return tps.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
            });
            return out;
        }
    }

    static int count(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> records) {
        return records.values().stream().mapToInt(List::size).sum();
    }

    /** Asserts both sides hold the same records per partition, in order, field by field. */
    static void assertIdentical(
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> source,
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> target) {
        assertThat(target.keySet()).isEqualTo(source.keySet());
        source.forEach((partition, expected) -> {
            List<ConsumerRecord<byte[], byte[]>> actual = target.get(partition);
            assertThat(actual).as("records of partition %d", partition).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                ConsumerRecord<byte[], byte[]> s = expected.get(i);
                ConsumerRecord<byte[], byte[]> t = actual.get(i);
                String at = "partition " + partition + " record " + i + " (source offset " + s.offset() + ")";
                assertThat(t.key()).as("key of " + at).isEqualTo(s.key());
                assertThat(t.value()).as("value of " + at).isEqualTo(s.value());
                assertThat(t.timestamp()).as("timestamp of " + at).isEqualTo(s.timestamp());
                assertThat(headers(t)).as("headers of " + at).isEqualTo(headers(s));
            }
        });
    }

    /** Headers as comparable text, order and duplicates kept, a null value shown as null. */
    static List<String> headers(ConsumerRecord<byte[], byte[]> r) {
        List<String> out = new ArrayList<>();
        Iterator<Header> it = r.headers().iterator();
        while (it.hasNext()) {
            Header h = it.next();
            out.add(h.key() + "=" + (h.value() == null ? "null" : java.util.Arrays.toString(h.value())));
        }
        return out;
    }

    /** True when every partition of {@code topic} is RUNNING with nothing left to replicate. */
    /**
     * Waits until a status snapshot whose ends were read after this call began shows every partition of the topic
     * caught up: an older snapshot may predate the records just produced, and would call a partial copy complete.
     */
    static void awaitCaughtUp(
            String what, Duration within, Supplier<ReplicatorStatus> status, String topic, int partitions) {
        Instant from = Instant.now();
        eventually(what, within, () -> {
            ReplicatorStatus s = status.get();
            return !s.refreshedAt().isBefore(from) && caughtUp(s, topic, partitions);
        });
    }

    private static boolean caughtUp(ReplicatorStatus status, String topic, int partitions) {
        List<PartitionStatus> rows = status.partitions().stream()
                .filter(p -> p.topic().equals(topic))
                .toList();
        return rows.size() == partitions
                && rows.stream()
                        .allMatch(p -> p.state() == PartitionRunState.RUNNING
                                && p.sourceEnd() >= 0
                                && p.replicated() == p.sourceEnd());
    }

    /** {@code strait_batches_total{path,reason}} as the replicator counted it, 0 when never counted. */
    static double batches(MeterRegistry registry, String path, String reason) {
        Counter counter = registry.find("strait.batches")
                .tags("path", path, "reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}

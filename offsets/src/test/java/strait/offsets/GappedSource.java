package strait.offsets;

import static strait.embedded.Eventually.eventually;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test fixture: a one-partition source topic whose offsets have real gaps: records removed by the log cleaner
 * (compaction), transaction markers, and aborted records. Once compacted, the topic is switched to the delete policy
 * with infinite retention so its content stays fixed while tests compare against it.
 */
final class GappedSource {

    /** Rounds of 200 records written before looking for gaps: tests want more than 2,000 offsets to check. */
    private static final int MIN_ROUNDS = 12;

    private GappedSource() {}

    static void create(Admin admin, String bootstrap, String topic, Duration timeout) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                        .configs(Map.of(
                                "cleanup.policy",
                                "compact",
                                "segment.ms",
                                "100",
                                "min.cleanable.dirty.ratio",
                                "0.01",
                                "min.compaction.lag.ms",
                                "0",
                                "delete.retention.ms",
                                "86400000"))))
                .all()
                .get();
        TopicPartition tp = new TopicPartition(topic, 0);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaProducer<String, String> producer = plainProducer(bootstrap)) {
            int round = 0;
            while (round < MIN_ROUNDS || !hasCompactionGap(readAll(bootstrap, tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the log cleaner removed nothing from " + topic + " in time");
                }
                // Every other record reuses one of 40 keys and every other has a key of its own: cleaning any
                // segment removes the overwritten ones between kept ones, so a gap shows whatever the segment
                // boundaries (with only reused keys, what is kept of a round is one contiguous block).
                for (int i = 0; i < 200; i++) {
                    String key = i % 2 == 0 ? "k" + (i % 80) : "u" + round + "-" + i;
                    producer.send(new ProducerRecord<>(topic, 0, key, "v" + round + "-" + i));
                }
                producer.flush();
                round++;
            }
        }
        admin.incrementalAlterConfigs(Map.of(
                        new ConfigResource(ConfigResource.Type.TOPIC, topic),
                        List.of(
                                new AlterConfigOp(
                                        new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SET),
                                new AlterConfigOp(new ConfigEntry("retention.ms", "-1"), AlterConfigOp.OpType.SET))))
                .all()
                .get();
        awaitStable(bootstrap, tp, deadline);
        appendTransactions(bootstrap, topic);
    }

    /** Committed and aborted transactions interleaved with plain records: markers and aborted offsets. */
    private static void appendTransactions(String bootstrap, String topic) {
        try (KafkaProducer<String, String> tx = new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                "fixture-" + UUID.randomUUID()),
                        new StringSerializer(),
                        new StringSerializer());
                KafkaProducer<String, String> plain = plainProducer(bootstrap)) {
            tx.initTransactions();
            for (int t = 0; t < 6; t++) {
                tx.beginTransaction();
                for (int i = 0; i < 40; i++) {
                    tx.send(new ProducerRecord<>(topic, 0, "tx" + t + "-" + i, "txv" + t + "-" + i));
                    if (i % 10 == 0) {
                        tx.flush();
                        plain.send(new ProducerRecord<>(topic, 0, "p" + t + "-" + i, "pv" + t + "-" + i));
                        plain.flush();
                    }
                }
                if (t % 2 == 1) {
                    tx.abortTransaction();
                } else {
                    tx.commitTransaction();
                }
            }
            for (int i = 0; i < 100; i++) {
                plain.send(new ProducerRecord<>(topic, 0, "tail" + i, "tailv" + i));
            }
            plain.flush();
        }
    }

    private static void awaitStable(String bootstrap, TopicPartition tp, long deadline) {
        List<Long> previous = offsets(readAll(bootstrap, tp));
        while (true) {
            List<Long> now = offsets(readAll(bootstrap, tp));
            if (now.equals(previous)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("source did not stop changing in time");
            }
            previous = now;
        }
    }

    private static List<Long> offsets(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(ConsumerRecord::offset).toList();
    }

    private static boolean hasCompactionGap(List<ConsumerRecord<byte[], byte[]>> records) {
        for (int i = 1; i < records.size(); i++) {
            if (records.get(i).offset() != records.get(i - 1).offset() + 1) {
                return true;
            }
        }
        return false;
    }

    private static KafkaProducer<String, String> plainProducer(String bootstrap) {
        return new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(),
                new StringSerializer());
    }

    /** Every committed record of the partition, from its log start to its last stable offset. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            eventually("reading " + tp + " to " + end, Duration.ofSeconds(30), () -> {
                if (consumer.position(tp) >= end) {
                    return true;
                }
                consumer.poll(Duration.ofMillis(200)).records(tp).forEach(records::add);
                return consumer.position(tp) >= end;
            });
            return records;
        }
    }

    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}

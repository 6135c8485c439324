package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;
import static strait.replicator.Fixtures.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;
import strait.offsets.OffsetMapStore;
import strait.offsets.OffsetMaps;

/** Source offset gaps (compaction, aborted transactions, markers) are not copied; every committed record is. */
class CommittedRecordsIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    @ParameterizedTest(name = "replication.path={0}")
    @ValueSource(strings = {"auto", "record"})
    void aCompactedTopicWhoseCleanerRemovedRecordsReplicatesExactlyWhatRemains(String path) throws Exception {
        String topic = "committed-compacted-" + path;
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(
                    admin,
                    topic,
                    2,
                    Map.of(
                            "cleanup.policy",
                            "compact",
                            "segment.ms",
                            "100",
                            "min.cleanable.dirty.ratio",
                            "0.01",
                            "min.compaction.lag.ms",
                            "0",
                            "delete.retention.ms",
                            "100"));
        }
        int produced = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of())) {
            for (int round = 0; round < 10; round++) {
                for (int i = 0; i < 200; i++, produced++) {
                    // A quarter of the keys are unique and survive compaction between rewritten ones: gaps.
                    String key = i % 4 == 0 ? "unique-" + round + "-" + i : "key-" + (i % 40);
                    producer.send(new ProducerRecord<>(
                            topic,
                            i % 2,
                            key.getBytes(StandardCharsets.UTF_8),
                            ("round-" + round + "-" + i).getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
                long rolledAt = System.currentTimeMillis() + 150;
                eventually(
                        "segment.ms has passed, so the next append rolls a segment",
                        Duration.ofSeconds(5),
                        () -> System.currentTimeMillis() > rolledAt);
            }
        }
        int total = produced;
        eventually(
                "the cleaner has removed records",
                Duration.ofSeconds(90),
                () -> count(readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed")) < total / 2);
        AtomicInteger last = new AtomicInteger(-1);
        eventually("the cleaner is done", Duration.ofSeconds(60), () -> {
            int now = count(readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed"));
            return now == last.getAndSet(now);
        });
        var source = readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed");
        assertThat(hasGaps(source)).as("the source has offset gaps").isTrue();

        SimpleMeterRegistry registry = replicate(topic, 2, "compacted-link-" + path, path);
        if (path.equals("auto")) {
            assertThat(batches(registry, "record", "gapped"))
                    .as("batches with offset gaps are written on the record path")
                    .isPositive();
        }

        var target = readAll(CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted");
        assertIdentical(readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed"), target);
        assertThat(hasGaps(target)).as("the target is dense").isFalse();
        System.out.printf("compacted: %d produced, %d left after cleaning, all replicated%n", total, count(source));
    }

    @ParameterizedTest(name = "replication.path={0}")
    @ValueSource(strings = {"auto", "record"})
    void aTransactionalTopicWithAbortedTransactionsReplicatesExactlyItsCommittedRecords(String path) throws Exception {
        String topic = "committed-transactional-" + path;
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(admin, topic, 2, Map.of());
        }
        int committed = 0;
        try (KafkaProducer<byte[], byte[]> tx = producer(
                        CLUSTERS.sourceBootstrapServers(),
                        Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "committed-it-" + path));
                KafkaProducer<byte[], byte[]> plain = producer(CLUSTERS.sourceBootstrapServers(), Map.of())) {
            tx.initTransactions();
            for (int t = 0; t < 30; t++) {
                tx.beginTransaction();
                // 40 records per partition: not small batches, which the sender would write together (0016).
                for (int i = 0; i < 80; i++) {
                    tx.send(new ProducerRecord<>(
                            topic, i % 2, null, ("tx-" + t + "-" + i).getBytes(StandardCharsets.UTF_8)));
                }
                plain.send(new ProducerRecord<>(topic, t % 2, null, ("plain-" + t).getBytes(StandardCharsets.UTF_8)))
                        .get();
                committed++;
                if (t % 3 == 1) {
                    tx.abortTransaction();
                } else {
                    tx.commitTransaction();
                    committed += 80;
                }
            }
        }

        SimpleMeterRegistry registry = replicate(topic, 2, "transactional-link-" + path, path);
        if (path.equals("auto")) {
            assertThat(batches(registry, "none", "aborted"))
                    .as("aborted batches are dropped")
                    .isPositive();
            assertThat(batches(registry, "byte", "forwarded"))
                    .as("committed transactional batches are forwarded")
                    .isPositive();
        }

        var source = readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed");
        var target = readAll(CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted");
        assertThat(count(source)).isEqualTo(committed);
        assertIdentical(source, target);
        assertThat(target.values().stream()
                        .flatMap(List::stream)
                        .map(r -> new String(r.value(), StandardCharsets.UTF_8)))
                .noneMatch(v -> v.matches("tx-(1|4|7|10|13|16|19|22|25|28)-.*"));
    }

    /** Replicates {@code topic} until caught up, on {@code path}; returns the replicator's meters. */
    private static SimpleMeterRegistry replicate(String topic, int partitions, String link, String path) {
        Map<String, String> props = new HashMap<>(
                config(CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), link));
        props.put(StraitConfig.REPLICATION_PATH, path);
        StraitConfig config = StraitConfig.parse(props);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, registry)) {
            replicator.start();
            awaitCaughtUp(topic + " is replicated", Duration.ofSeconds(90), replicator::status, topic, partitions);
            if (path.equals("record")) {
                assertThat(replicator.status().partitions())
                        .allSatisfy(p -> assertThat(p.recordsForwarded()).isZero());
            }
        }
        return registry;
    }

    private static boolean hasGaps(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> records) {
        for (List<ConsumerRecord<byte[], byte[]>> list : records.values()) {
            for (int i = 1; i < list.size(); i++) {
                if (list.get(i).offset() != list.get(i - 1).offset() + 1) {
                    return true;
                }
            }
        }
        return false;
    }
}

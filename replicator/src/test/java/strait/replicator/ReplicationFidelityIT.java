package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.replicator.Fixtures.*;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;
import strait.offsets.OffsetMapStore;
import strait.offsets.OffsetMaps;

/** Every record arrives byte for byte: keys, values, headers, timestamps, partitions. */
class ReplicationFidelityIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    @ParameterizedTest(name = "replication.path={0}")
    @ValueSource(strings = {"auto", "record"})
    void hundredThousandMixedRecordsArriveIdenticalFieldByFieldInOrder(String path) throws Exception {
        String topic = "fidelity-mixed-" + path;
        String appendTimeTopic = "fidelity-append-time-" + path;
        int partitions = 4;
        int records = 120_000;
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(admin, topic, partitions, Map.of());
            createTopic(admin, appendTimeTopic, 2, Map.of("message.timestamp.type", "LogAppendTime"));
        }
        Random random = new Random(42);
        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(
                        topic,
                        i % partitions,
                        now - random.nextInt(86_400_000),
                        key(random, i),
                        value(random, i),
                        headers(random, i)));
            }
            for (int i = 0; i < 1_000; i++) {
                producer.send(new ProducerRecord<>(
                        appendTimeTopic, i % 2, 12_345L, key(random, i), value(random, i), headers(random, i)));
            }
        }

        Map<String, String> props = new HashMap<>(config(
                CLUSTERS.sourceBootstrapServers(),
                CLUSTERS.targetBootstrapServers(),
                "fidelity-(mixed|append-time)-" + path,
                "fidelity-link-" + path));
        props.put(StraitConfig.REPLICATION_PATH, path);
        StraitConfig config = StraitConfig.parse(props);
        long started = System.nanoTime();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, registry)) {
            replicator.start();
            awaitCaughtUp(topic + " is replicated", Duration.ofMinutes(3), replicator::status, topic, partitions);
            awaitCaughtUp(
                    appendTimeTopic + " is replicated", Duration.ofMinutes(1), replicator::status, appendTimeTopic, 2);
            System.out.printf(
                    "replicated %d records in %d ms%n", records + 1_000, (System.nanoTime() - started) / 1_000_000);
            assertThat(replicator.status().partitions()).allSatisfy(p -> {
                assertThat(p.lagRecords()).isZero();
                assertThat(p.lagMs()).isZero();
                assertThat(p.targetEnd()).isEqualTo(p.replicated());
            });
            String scrape = registry.scrape();
            assertThat(scrape)
                    .contains(
                            "strait_replicated_records_total{partition=\"0\",topic=\"" + topic + "\"} 30000.0",
                            "strait_replicated_bytes_total{",
                            "strait_lag_records{",
                            "strait_lag_ms{",
                            "strait_replication_latency_seconds_bucket{",
                            "strait_queue_depth_records{",
                            "strait_partition_stopped{partition=\"0\",topic=\"" + topic + "\"} 0.0");
            long forwarded = replicator.status().partitions().stream()
                    .mapToLong(PartitionStatus::recordsForwarded)
                    .sum();
            if (path.equals("auto")) {
                assertThat(forwarded)
                        .as("the CreateTime topic went the byte path")
                        .isEqualTo(records);
                assertThat(scrape)
                        .as("the LogAppendTime topic's batches were decoded")
                        .containsPattern("strait_batches_total\\{path=\"record\",reason=\"log_append_time\"\\} [1-9]");
            } else {
                assertThat(forwarded).isZero();
            }
        }

        var source = readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed");
        var target = readAll(CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted");
        assertThat(count(source)).isEqualTo(records);
        assertIdentical(source, target);

        var appendSource = readAll(CLUSTERS.sourceBootstrapServers(), appendTimeTopic, "read_committed");
        var appendTarget = readAll(CLUSTERS.targetBootstrapServers(), appendTimeTopic, "read_uncommitted");
        assertThat(appendSource.get(0).get(0).timestamp())
                .as("the source broker set its append time")
                .isNotEqualTo(12_345L);
        assertIdentical(appendSource, appendTarget);
    }

    private static byte[] key(Random random, int i) {
        return switch (i % 4) {
            case 0 -> null;
            case 1 -> new byte[0];
            default -> bytes(random, 1 + random.nextInt(32));
        };
    }

    private static byte[] value(Random random, int i) {
        return switch (i % 7) {
            case 0 -> null;
            case 1 -> new byte[0];
            default -> bytes(random, random.nextInt(300));
        };
    }

    private static RecordHeaders headers(Random random, int i) {
        RecordHeaders headers = new RecordHeaders();
        switch (i % 5) {
            case 0 -> {}
            case 1 -> headers.add("h", bytes(random, 4));
            case 2 -> {
                headers.add("dup", bytes(random, 3));
                headers.add("other", null);
                headers.add("dup", bytes(random, 5));
            }
            case 3 -> headers.add("null-value", null);
            default -> {
                headers.add("empty", new byte[0]);
                headers.add("ü-unicode", bytes(random, 2));
            }
        }
        return headers;
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}

package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;

/**
 * The target refusing what the sidecar writes, changed behind its back under load (issue 17, target refusals): each
 * refusal shows as a per-partition reason in {@code /status}, a failing gate and a metric, and once the cause is
 * removed the target holds every source record once, in order.
 */
class TargetRefusalsIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    @Test
    void aTargetTopicThatStopsTakingLargeRecordsStopsThatPartitionVisiblyAndAfterTheFixAndARestartLosesNothing()
            throws Exception {
        String topic = "refusals.large";
        createSourceTopic(topic, 2);
        Map<String, String> config = config("refusals-large", topic);
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(config))) {
            String http = "http://" + sidecar.httpAddress();
            produce(topic, 0, 100, 200);
            produce(topic, 1, 100, 200);
            awaitCaughtUp(http, topic, 2, 100);

            setTargetConfig(topic, "max.message.bytes", "2000");
            produce(topic, 0, 10, 5_000);
            produce(topic, 1, 100, 200);

            HttpResponse<String> ready = StraitProcess.awaitStatus(http + "/gates/ready", 503, Duration.ofSeconds(60));
            eventually(
                    "partition 0 stops with the target's reason",
                    Duration.ofSeconds(60),
                    () -> StraitProcess.get(http + "/status").body().contains("RecordTooLarge"));
            ready = StraitProcess.get(http + "/gates/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body())
                    .contains("\"name\":\"lag\",\"passed\":false")
                    .contains(topic + "-0 stopped");
            assertThat(StraitProcess.get(http + "/metrics").body())
                    .containsPattern(
                            "strait_partition_stopped\\{[^}]*partition=\"0\",topic=\"" + topic + "\"[^}]*\\} 1\\.0")
                    .containsPattern(
                            "strait_partition_stopped\\{[^}]*partition=\"1\",topic=\"" + topic + "\"[^}]*\\} 0\\.0");
            eventually(
                    "partition 1 keeps flowing",
                    Duration.ofSeconds(60),
                    () -> PartitionLogs.endOffset(
                                    CLUSTERS.targetBootstrapServers(), new TopicPartition(topic, 1), "read_uncommitted")
                            == 200);
        }

        // The fix: the target takes the records again. A restart resumes the stopped partition where it stopped.
        setTargetConfig(topic, "max.message.bytes", "1048588");
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(config))) {
            String http = "http://" + sidecar.httpAddress();
            awaitCaughtUp(http, topic, 2, 110);
            StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));
        }
        assertTargetHoldsTheSource(topic, 2);
    }

    @Test
    void partitionsAddedToTheTargetTopicBehindTheLinksBackFailTopicParityWhileCopyingCarriesOnUnchanged()
            throws Exception {
        String topic = "refusals.grown";
        createSourceTopic(topic, 2);
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(config("refusals-grown", topic)))) {
            String http = "http://" + sidecar.httpAddress();
            produce(topic, 0, 50, 200);
            produce(topic, 1, 50, 200);
            awaitCaughtUp(http, topic, 2, 50);

            try (Admin target = CLUSTERS.clusters().targetAdmin()) {
                target.createPartitions(Map.of(topic, NewPartitions.increaseTo(4)))
                        .all()
                        .get();
            }
            produce(topic, 0, 50, 200);
            produce(topic, 1, 50, 200);

            eventually("topic-parity fails naming the topic", Duration.ofSeconds(60), () -> {
                HttpResponse<String> gate = StraitProcess.get(http + "/gates/topic-parity");
                return gate.body().contains("\"passed\":false")
                        && gate.body().contains(topic)
                        && gate.body().contains("target has 4 partitions, source 2");
            });
            assertThat(StraitProcess.get(http + "/gates/ready").statusCode()).isEqualTo(503);
            awaitCaughtUp(http, topic, 2, 100);
            assertThat(StraitProcess.get(http + "/metrics").body())
                    .containsPattern("strait_partition_stopped\\{[^}]*topic=\"" + topic + "\"[^}]*\\} 0\\.0");
        }
        assertTargetHoldsTheSource(topic, 2);
        for (int p = 2; p < 4; p++) {
            assertThat(PartitionLogs.endOffset(
                            CLUSTERS.targetBootstrapServers(), new TopicPartition(topic, p), "read_uncommitted"))
                    .as("the added target partition %d gets nothing", p)
                    .isZero();
        }
    }

    @Test
    void aQuotaThrottlingTheSidecarFailsTheLagGateWhileItLastsAndLosesNothing() throws Exception {
        String topic = "refusals.throttled";
        createSourceTopic(topic, 2);
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(config("refusals-throttled", topic)))) {
            String http = "http://" + sidecar.httpAddress();
            StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));
            try (Admin target = CLUSTERS.clusters().targetAdmin()) {
                TargetQuota.produceRate(target, 20_000.0);
            }
            try {
                // In rounds: one produce request of the sidecar could otherwise carry all of it before the broker
                // throttles anything (it throttles the answers after a request that went over the quota).
                for (int round = 0; round < 8; round++) {
                    produce(topic, 0, 125, 500);
                    produce(topic, 1, 125, 500);
                }
                eventually("the lag gate fails while throttled", Duration.ofSeconds(60), () -> {
                    HttpResponse<String> ready = StraitProcess.get(http + "/gates/ready");
                    return ready.statusCode() == 503
                            && ready.body().contains("\"name\":\"lag\",\"passed\":false")
                            && ready.body().contains(topic);
                });
                assertThat(StraitProcess.get(http + "/metrics").body())
                        .containsPattern("strait_lag_records\\{[^}]*topic=\"" + topic + "\"[^}]*\\} [1-9]");
            } finally {
                try (Admin target = CLUSTERS.clusters().targetAdmin()) {
                    TargetQuota.produceRate(target, null);
                }
            }
            awaitCaughtUp(http, topic, 2, 1_000);
            StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));
        }
        assertTargetHoldsTheSource(topic, 2);
    }

    private static Map<String, String> config(String link, String topic) {
        Map<String, String> config = new HashMap<>();
        config.put(StraitConfig.SOURCE_BOOTSTRAP_SERVERS, CLUSTERS.sourceBootstrapServers());
        config.put(StraitConfig.TARGET_BOOTSTRAP_SERVERS, CLUSTERS.targetBootstrapServers());
        config.put(StraitConfig.TOPICS, java.util.regex.Pattern.quote(topic));
        config.put(StraitConfig.LINK_NAME, link);
        config.put(StraitConfig.HTTP_PORT, "0");
        config.put(StraitConfig.TOPICS_REFRESH_INTERVAL_MS, "1000");
        config.put(StraitConfig.GATES_LAG_MAX_RECORDS, "100");
        return config;
    }

    private static void createSourceTopic(String topic, int partitions) throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get();
        }
    }

    private static void setTargetConfig(String topic, String key, String value) throws Exception {
        try (Admin admin = CLUSTERS.clusters().targetAdmin()) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, topic),
                            List.of(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
        }
    }

    /** {@code count} records of {@code size} bytes to one partition, with a key, a header and a timestamp. */
    private static void produce(String topic, int partition, int count, int size) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, CLUSTERS.sourceBootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String prefix = "v" + i + "-";
                byte[] value = prefix.repeat(size / prefix.length() + 1)
                        .substring(0, size)
                        .getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                        topic,
                        partition,
                        System.currentTimeMillis(),
                        ("k" + i).getBytes(StandardCharsets.UTF_8),
                        value);
                record.headers().add("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** Every partition of {@code topic} copied up to at least {@code records}, as the target's end offsets say. */
    private static void awaitCaughtUp(String http, String topic, int partitions, long records) {
        eventually("the target catches up with " + topic, Duration.ofSeconds(90), () -> {
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                long source = PartitionLogs.endOffset(CLUSTERS.sourceBootstrapServers(), tp, "read_committed");
                long target = PartitionLogs.endOffset(CLUSTERS.targetBootstrapServers(), tp, "read_uncommitted");
                if (source < records || target < source) {
                    return false;
                }
            }
            return true;
        });
    }

    private static void assertTargetHoldsTheSource(String topic, int partitions) {
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            PartitionLogs.assertSameRecords(
                    tp,
                    PartitionLogs.readAll(CLUSTERS.sourceBootstrapServers(), tp, "read_committed"),
                    PartitionLogs.readAll(CLUSTERS.targetBootstrapServers(), tp, "read_uncommitted"));
        }
    }
}

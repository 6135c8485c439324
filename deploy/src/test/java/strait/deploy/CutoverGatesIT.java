package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;

/** The cutover gates on the whole sidecar against real clusters: 503 with evidence while copying, 200 when safe. */
class CutoverGatesIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final String TOPIC = "cutover.orders";
    private static final String GROUP = "cutover.billing";

    @Test
    void readyIs503NamingTheLaggingPartitionWhileABacklogIsCopiedAnd200OnceCaughtUpWithResumePoints() throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        }
        produce(1_000);
        commitOnSource(new TopicPartition(TOPIC, 0), 200);

        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(Map.of(
                StraitConfig.SOURCE_BOOTSTRAP_SERVERS, CLUSTERS.sourceBootstrapServers(),
                StraitConfig.TARGET_BOOTSTRAP_SERVERS, CLUSTERS.targetBootstrapServers(),
                StraitConfig.TOPICS, "cutover\\..*",
                StraitConfig.GROUPS, "cutover\\..*",
                StraitConfig.GROUPS_SYNC_INTERVAL_MS, "500",
                StraitConfig.GATES_LAG_MAX_RECORDS, "10",
                StraitConfig.HTTP_PORT, "0")))) {
            String ready = "http://" + sidecar.httpAddress() + "/gates/ready";
            StraitProcess.awaitStatus(ready, 200, Duration.ofSeconds(60));

            // Given a burst the replicator must copy, the gate must say so while it lasts.
            // A quota on the target holds the replicator back, so the burst outpaces it whatever the machine.
            try (Admin target = CLUSTERS.clusters().targetAdmin()) {
                TargetQuota.produceRate(target, 1_000_000.0);
            }
            CompletableFuture<Void> burst = CompletableFuture.runAsync(() -> produce(400_000));
            HttpResponse<String> whileCopying = awaitLagFailure(ready, burst);
            assertThat(whileCopying.statusCode()).isEqualTo(503);
            assertThat(whileCopying.body())
                    .contains("\"ready\":false")
                    .contains("\"name\":\"lag\",\"passed\":false")
                    .contains("\"topic\":\"" + TOPIC + "\"");
            burst.get();
            try (Admin target = CLUSTERS.clusters().targetAdmin()) {
                TargetQuota.produceRate(target, null);
            }

            HttpResponse<String> caughtUp = StraitProcess.awaitStatus(ready, 200, Duration.ofSeconds(120));
            assertThat(caughtUp.body())
                    .contains("\"ready\":true")
                    .contains("\"name\":\"resume-points\",\"passed\":true");
            HttpResponse<String> group =
                    StraitProcess.get("http://" + sidecar.httpAddress() + "/offsets/groups/" + GROUP);
            assertThat(group.statusCode()).isEqualTo(200);
            assertThat(group.body())
                    .contains("\"sourceOffset\":200")
                    .contains("\"targetOffset\":200")
                    .contains("\"valid\":true");
        }
    }

    /** Polls while the burst runs (and a little after) until the lag gate fails; returns that answer. */
    private static HttpResponse<String> awaitLagFailure(String url, CompletableFuture<Void> burst) throws Exception {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        eventually(
                "the lag gate to fail during the burst",
                Duration.ofSeconds(60),
                () -> {
                    last.set(StraitProcess.get(url));
                    return last.get().statusCode() == 503
                            && last.get().body().contains("\"name\":\"lag\",\"passed\":false");
                },
                () -> (last.get() == null ? "no answer" : last.get().body()) + "; burst done: " + burst.isDone());
        return last.get();
    }

    private static void produce(int records) {
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        CLUSTERS.sourceBootstrapServers(),
                        ProducerConfig.LINGER_MS_CONFIG,
                        5,
                        ProducerConfig.BATCH_SIZE_CONFIG,
                        65_536),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            byte[] value = new byte[100];
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, null, ("k" + i).getBytes(), value));
            }
        }
    }

    private static void commitOnSource(TopicPartition tp, long offset) {
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        CLUSTERS.sourceBootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        GROUP),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset, "billing-checkpoint")));
        }
    }
}

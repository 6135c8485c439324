package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;
import strait.config.StraitConfig;
import strait.embedded.FreePorts;
import strait.embedded.SharedClusters;
import strait.gates.report.SignedDocument;

/** The cutover gates on the whole sidecar against real clusters: 503 with evidence while copying, 200 when safe. */
class CutoverGatesIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final String TOPIC = "cutover.orders";
    private static final String GROUP = "cutover.billing";
    private static final String REHEARSED = "rehearsed.orders";
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"strait\" password=\"jaas-Pw-7\";";

    @TempDir
    Path dir;

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
                    .contains("\"name\":\"resume-points\",\"passed\":true")
                    .contains("\"name\":\"capacity\",\"passed\":true")
                    .contains("\"name\":\"rollback\",\"passed\":true");
            JsonObject parity =
                    new JsonObject(StraitProcess.get("http://" + sidecar.httpAddress() + "/gates/data-parity")
                            .body());
            assertThat(parity.getBoolean("passed")).as(parity.encode()).isTrue();
            JsonObject capacity = new JsonObject(
                            StraitProcess.get("http://" + sidecar.httpAddress() + "/gates/capacity")
                                    .body())
                    .getJsonObject("evidence");
            assertThat(capacity.getInteger("partitions")).isEqualTo(2);
            assertThat(capacity.getJsonArray("logDirs").getJsonObject(0).getLong("usableBytes"))
                    .isPositive();
            HttpResponse<String> group =
                    StraitProcess.get("http://" + sidecar.httpAddress() + "/offsets/groups/" + GROUP);
            assertThat(group.statusCode()).isEqualTo(200);
            assertThat(group.body())
                    .contains("\"sourceOffset\":200")
                    .contains("\"targetOffset\":200")
                    .contains("\"valid\":true");
        }
    }

    @Test
    void rollbackFailsUntilADryRunPassedAndARunWasRolledBackThenPassesAndTheCutoverMayStart() throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(REHEARSED, 1, (short) 1)))
                    .all()
                    .get();
        }
        int port = FreePorts.range(3);
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(Map.of(
                StraitConfig.SOURCE_BOOTSTRAP_SERVERS,
                CLUSTERS.sourceBootstrapServers(),
                StraitConfig.TARGET_BOOTSTRAP_SERVERS,
                CLUSTERS.targetBootstrapServers(),
                StraitConfig.TOPICS,
                "rehearsed\\..*",
                StraitConfig.GROUPS,
                "rehearsed\\..*",
                StraitConfig.LINK_NAME,
                "rehearsed",
                StraitConfig.HTTP_PORT,
                "0",
                StraitConfig.PROXY_ENABLED,
                "true",
                StraitConfig.PROXY_LISTEN_PORT,
                String.valueOf(port),
                StraitConfig.PROXY_BROKER_PORTS,
                "2",
                // A secret the report must never show (PLAINTEXT clients ignore it).
                "target.sasl.jaas.config",
                JAAS)))) {
            String http = "http://" + sidecar.httpAddress();
            HttpResponse<String> unrehearsed =
                    StraitProcess.awaitStatus(http + "/gates/rollback", 503, Duration.ofSeconds(60));
            assertThat(unrehearsed.body())
                    .contains("no dry run passed within gates.rollback.max.age.ms")
                    .contains("no run was rolled back");
            eventually("every other gate passes", Duration.ofSeconds(60), () -> {
                JsonObject ready =
                        new JsonObject(StraitProcess.get(http + "/gates/ready").body());
                return ready.getJsonArray("gates").stream()
                        .map(g -> (JsonObject) g)
                        .allMatch(g ->
                                g.getBoolean("passed") || g.getString("name").equals("rollback"));
            });
            HttpResponse<String> refused = post(http + "/cutover", "");
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(refused.body()).contains("\"gate\":\"rollback\"");

            assertThat(post(http + "/cutover", "{\"dryRun\":true}").statusCode())
                    .isEqualTo(202);
            awaitResult(http, "dry-run-passed");
            AtomicReference<HttpResponse<String>> halfway = new AtomicReference<>();
            eventually(
                    "the gate sees the passed dry run",
                    Duration.ofSeconds(10),
                    () -> {
                        halfway.set(StraitProcess.get(http + "/gates/rollback"));
                        return !halfway.get().body().contains("no dry run passed");
                    },
                    () -> halfway.get().body());
            assertThat(halfway.get().statusCode()).isEqualTo(503);
            assertThat(halfway.get().body()).contains("no run was rolled back");

            // The rehearsal docs/gates.md gives: a dry run, rolled back while it runs. Nothing is fenced.
            assertThat(post(http + "/cutover", "{\"dryRun\":true}").statusCode())
                    .isEqualTo(202);
            HttpResponse<String> rollback = post(http + "/cutover/rollback", "");
            assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(202);
            awaitResult(http, "dry-run-failed");

            HttpResponse<String> rehearsed =
                    StraitProcess.awaitStatus(http + "/gates/rollback", 200, Duration.ofSeconds(10));
            JsonObject evidence = new JsonObject(rehearsed.body()).getJsonObject("evidence");
            assertThat(evidence.getString("dryRunPassedAt")).isNotNull();
            assertThat(evidence.getString("rolledBackAt")).isNotNull();
            StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(30));

            assertThat(Main.run(
                            new String[] {
                                "report",
                                "--url",
                                http,
                                "--out",
                                dir.resolve("change-42").toString()
                            },
                            System.out,
                            System.err))
                    .isZero();
            String markdown = Files.readString(dir.resolve("change-42.md"));
            String json = Files.readString(dir.resolve("change-42.json"));
            assertThat(SignedDocument.verifies(markdown)).isTrue();
            assertThat(SignedDocument.verifies(json)).isTrue();
            assertThat(markdown)
                    .contains("| rollback | pass |")
                    .contains("| capacity | pass |")
                    .contains("| `target.sasl.jaas.config` | [hidden] |")
                    .contains("\"dryRunPassedAt\"");
            JsonObject report = new JsonObject(json).getJsonObject("report");
            assertThat(report.getJsonArray("transitions").stream()
                            .map(t -> (JsonObject) t)
                            .filter(t -> t.getString("gate").equals("rollback"))
                            .map(t -> t.getString("to")))
                    .containsExactly("fail", "pass");
            for (String document : List.of(markdown, json)) {
                assertThat(document).doesNotContain("jaas-Pw-7").doesNotContain("PlainLoginModule");
            }
        }
    }

    private static void awaitResult(String http, String result) {
        eventually(
                "the run ends " + result,
                Duration.ofSeconds(30),
                () -> new JsonObject(StraitProcess.get(http + "/cutover").body())
                        .getString("result")
                        .equals(result));
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
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

package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import strait.embedded.FreePorts;
import strait.embedded.SharedClusters;

/**
 * The real {@code strait.jar run} with the producer proxy, killed with SIGKILL in the middle of a cutover: once in
 * FENCING (waiting, writes flowing, for replication to catch up), once while its fence holds the producers' writes,
 * once while replication drains (both waits held back by a quota on the target). Each
 * restart aborts the run it finds, producers carry on to the source, and a last cutover switches; a last kill after the
 * switch restarts towards the target with translation intact: every send succeeded and every acknowledged record is
 * on the target once, in order.
 */
class CutoverCrashIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final int PARTITIONS = 4;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private final String prefix = "ccrash" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> topics = List.of(prefix + ".orders", prefix + ".payments");

    @Test
    void aSidecarKilledWhileFencingWhileTheFenceHoldsWritesOrWhileDrainingAbortsThatRunAtRestartAndLosesNothing()
            throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(topics.stream()
                            .map(t -> new NewTopic(t, PARTITIONS, (short) 1))
                            .toList())
                    .all()
                    .get();
        }
        int port = FreePorts.range(3);
        Path config = config(port, 1_000_000_000L);
        // The first instance waits in FENCING until replication has caught up completely.
        Path catchingUp = config(port, 0);
        StraitProcess strait = StraitProcess.start(dir, List.of(), "run", "--config", catchingUp.toString());
        ProxiedProducers producers = null;
        try {
            String base = strait.awaitBaseUrl(Duration.ofSeconds(60));
            StraitProcess.awaitStatus(base + "/gates/ready", 200, Duration.ofSeconds(60));
            producers = new ProxiedProducers("127.0.0.1:" + port, topics, PARTITIONS, List.of(0, 5, 20), 150);
            ProxiedProducers writing = producers;
            eventually(
                    "the producers write through the proxy", Duration.ofSeconds(30), () -> writing.ackedCount() > 200);

            // 0. Killed in FENCING while it waits, writes flowing, for replication held back by a quota to catch up.
            throttleTarget(20_000.0);
            burstToSource(20_000);
            assertThat(StraitProcess.post(base + "/cutover", "").statusCode()).isEqualTo(202);
            awaitCutover(
                    base,
                    "FENCING, waiting with nothing held",
                    v -> v.getString("state").equals("FENCING") && v.getInteger("heldRequests", 0) == 0);
            assertThat(view(base).getString("state")).isEqualTo("FENCING");
            strait = killAndRestart(strait, config);
            base = strait.awaitBaseUrl(Duration.ofSeconds(60));
            JsonObject afterFencingKill = view(base);
            assertThat(afterFencingKill.getString("state")).isEqualTo("MIRRORING");
            assertThat(afterFencingKill.getString("result")).isEqualTo("aborted");
            assertThat(afterFencingKill.getString("reason")).contains("the sidecar stopped during FENCING");
            throttleTarget(null);
            awaitMoreAcked(producers, 300);
            StraitProcess.awaitStatus(base + "/gates/ready", 200, Duration.ofSeconds(60));

            // 1. Killed while the fence holds writes.
            assertThat(StraitProcess.post(base + "/cutover", "").statusCode()).isEqualTo(202);
            awaitCutover(
                    base,
                    "VERIFYING_FENCE with writes held",
                    v -> v.getString("state").equals("VERIFYING_FENCE") && v.getInteger("heldRequests", 0) > 0);
            strait = killAndRestart(strait, config);
            base = strait.awaitBaseUrl(Duration.ofSeconds(60));
            JsonObject afterFenceKill = view(base);
            assertThat(afterFenceKill.getString("state")).isEqualTo("MIRRORING");
            assertThat(afterFenceKill.getString("result")).isEqualTo("aborted");
            assertThat(afterFenceKill.getString("reason")).contains("the sidecar stopped during VERIFYING_FENCE");
            awaitMoreAcked(producers, 300);

            // 2. Killed while draining: a quota on the target holds replication back behind a burst.
            throttleTarget(20_000.0);
            burstToSource(20_000);
            StraitProcess.awaitStatus(base + "/gates/ready", 200, Duration.ofSeconds(60));
            assertThat(StraitProcess.post(base + "/cutover", "").statusCode()).isEqualTo(202);
            awaitCutover(base, "DRAINING", v -> v.getString("state").equals("DRAINING"));
            strait = killAndRestart(strait, config);
            base = strait.awaitBaseUrl(Duration.ofSeconds(60));
            JsonObject afterDrainKill = view(base);
            assertThat(afterDrainKill.getString("result")).isEqualTo("aborted");
            assertThat(afterDrainKill.getString("reason")).contains("the sidecar stopped during DRAINING");
            throttleTarget(null);
            awaitMoreAcked(producers, 300);
            StraitProcess.awaitStatus(base + "/gates/ready", 200, Duration.ofSeconds(60));

            // 3. The cutover that switches.
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int exit = Main.run(
                    new String[] {"cutover", "--url", base},
                    new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                    System.err);
            assertThat(exit).as("%s", out).isEqualTo(Main.OK);
            Map<TopicPartition, Long> sourceAtSwitch = sourceEnds();
            awaitMoreAcked(producers, 300);
            Map<TopicPartition, String> translatedAtSwitch = translations(base, sourceAtSwitch);

            // 4. A kill -9 after the switch: the restarted sidecar forwards to the target at once and still
            // translates every source offset exactly (consumers still on the source move later).
            strait = killAndRestart(strait, config);
            base = strait.awaitBaseUrl(Duration.ofSeconds(60));
            awaitMoreAcked(producers, 300);
            assertThat(view(base).getString("state")).isEqualTo("SWITCHED");
            assertThat(translations(base, sourceAtSwitch))
                    .as("translations after a restart past the switch")
                    .isEqualTo(translatedAtSwitch);
            producers.stop();
            assertThat(producers.failures()).as("failed sends").isEmpty();
            assertThat(sourceEnds())
                    .as("nothing reaches the source after the switch")
                    .isEqualTo(sourceAtSwitch);
            producers.assertExactlyOnceInOrder(CLUSTERS.targetBootstrapServers(), topics, PARTITIONS);
        } finally {
            throttleTarget(null);
            if (producers != null) {
                producers.stop();
            }
            strait.close();
        }
    }

    private Path config(int port, long fenceLagMaxRecords) throws Exception {
        Path file = Files.createTempFile(dir, "strait", ".properties");
        Files.write(
                file,
                List.of(
                        "source.bootstrap.servers=" + CLUSTERS.sourceBootstrapServers(),
                        "target.bootstrap.servers=" + CLUSTERS.targetBootstrapServers(),
                        "link.name=" + prefix,
                        "topics=" + prefix + "\\\\..*",
                        "http.port=0",
                        "proxy.enabled=true",
                        "proxy.listen.port=" + port,
                        "proxy.broker.ports=2",
                        "gates.lag.max.records=1000000000",
                        "gates.lag.max.ms=600000",
                        "cutover.fence.verify.ms=3000",
                        // Past step 0 the drain under the fence is what this test kills: fence at once, whatever
                        // the backlog.
                        "cutover.fence.lag.max.records=" + fenceLagMaxRecords,
                        "cutover.fence.max.ms=60000",
                        // Crashes, not rehearsals, are what this test is about (decision 0013).
                        "gates.disabled=rollback"));
        return file;
    }

    private StraitProcess killAndRestart(StraitProcess strait, Path config) throws Exception {
        strait.process().destroyForcibly();
        assertThat(strait.process().waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
        strait.close();
        return StraitProcess.start(dir, List.of(), "run", "--config", config.toString());
    }

    private static void awaitMoreAcked(ProxiedProducers producers, long more) {
        long before = producers.ackedCount();
        eventually("producers write again", Duration.ofSeconds(90), () -> producers.ackedCount() > before + more);
    }

    private static void awaitCutover(String base, String what, java.util.function.Predicate<JsonObject> condition) {
        eventually("the cutover reaches " + what, Duration.ofSeconds(30), () -> condition.test(view(base)));
    }

    /** {@code GET /offsets/translate} of each partition's given source offset: status and body. */
    private static Map<TopicPartition, String> translations(String base, Map<TopicPartition, Long> offsets)
            throws Exception {
        Map<TopicPartition, String> answers = new java.util.HashMap<>();
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            HttpResponse<String> r = StraitProcess.get(base + "/offsets/translate?topic="
                    + e.getKey().topic() + "&partition=" + e.getKey().partition() + "&offset=" + e.getValue());
            answers.put(e.getKey(), r.statusCode() + " " + r.body());
        }
        assertThat(answers.values()).allSatisfy(a -> assertThat(a).startsWith("200 "));
        return answers;
    }

    private static JsonObject view(String base) throws Exception {
        return new JsonObject(StraitProcess.get(base + "/cutover").body());
    }

    private static void throttleTarget(Double bytesPerSecond) throws Exception {
        try (Admin admin = CLUSTERS.clusters().targetAdmin()) {
            TargetQuota.produceRate(admin, bytesPerSecond);
        }
    }

    /** Writes straight to the source (not through the proxy), values in the checker's {@code <producer>-<seq>} form. */
    /** Bursts so far: each burst's values are its own, so every record on the target is unique. */
    private int bursts;

    private void burstToSource(int records) {
        String tag = "burst" + ++bursts + "-";
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, CLUSTERS.sourceBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            String padding = "x".repeat(200);
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topics.get(i % 2), i % PARTITIONS, padding, tag + i));
            }
            producer.flush();
        }
    }

    private Map<TopicPartition, Long> sourceEnds() throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (String t : topics) {
                for (int p = 0; p < PARTITIONS; p++) {
                    request.put(new TopicPartition(t, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(request).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        }
    }
}

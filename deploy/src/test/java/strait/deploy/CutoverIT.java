package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import strait.config.StraitConfig;
import strait.cutover.CutoverState;
import strait.embedded.FreePorts;
import strait.embedded.LibrdkafkaProducer;
import strait.embedded.SharedClusters;

/**
 * The cutover on the whole sidecar against real clusters, driven over HTTP as a cutover script drives it: three stock
 * idempotent producers write through the proxy to 8 partitions of 2 topics while runs are aborted at every step
 * before the switch and then one switches. Every send succeeds; every acknowledged record is on the target once, in
 * each producer's order; nothing written after the switch reaches the source; a group's source commits are on the
 * target translated exactly (the record each resumes at is the source's record there).
 */
class CutoverIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final List<String> TOPICS = List.of("moving.orders", "moving.payments");
    private static final int PARTITIONS = 4;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String GROUP = "moving.billing";

    @Test
    void producersMoveToTheTargetWithNoFailedSendNoLossNoDuplicateAfterAnAbortAtEveryStepBeforeTheSwitch()
            throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(TOPICS.stream()
                            .map(t -> new NewTopic(t, PARTITIONS, (short) 1))
                            .toList())
                    .all()
                    .get();
        }
        AtomicReference<CutoverState> abortAt = new AtomicReference<>();
        AtomicReference<String> http = new AtomicReference<>();
        int port = FreePorts.range(3);
        Map<String, String> config = new HashMap<>(Map.of(
                StraitConfig.SOURCE_BOOTSTRAP_SERVERS, CLUSTERS.sourceBootstrapServers(),
                StraitConfig.TARGET_BOOTSTRAP_SERVERS, CLUSTERS.targetBootstrapServers(),
                StraitConfig.TOPICS, "moving\\..*",
                StraitConfig.LINK_NAME, "moving",
                StraitConfig.HTTP_PORT, "0",
                StraitConfig.PROXY_ENABLED, "true",
                StraitConfig.PROXY_LISTEN_PORT, String.valueOf(port),
                StraitConfig.PROXY_BROKER_PORTS, "2"));
        config.put(StraitConfig.GROUPS, "moving\\..*");
        config.put(StraitConfig.GATES_LAG_MAX_MS, "60000");
        // This test rehearses by aborting real runs, with no dry run first: the rollback gate is not its subject.
        config.put(StraitConfig.GATES_DISABLED, "rollback");
        config.put(StraitConfig.CUTOVER_FENCE_MAX_MS, "10000");
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(config), state -> {
            if (state == abortAt.get()) {
                StraitProcess.post(http.get() + "/cutover/rollback", "");
            }
        })) {
            http.set("http://" + sidecar.httpAddress());
            StraitProcess.awaitStatus(http.get() + "/gates/ready", 200, Duration.ofSeconds(60));
            ProxiedProducers producers =
                    new ProxiedProducers(sidecar.proxyBootstrap(), TOPICS, PARTITIONS, List.of(0, 5, 20), 200);
            try {
                eventually(
                        "the producers write through the proxy",
                        Duration.ofSeconds(30),
                        () -> producers.ackedCount() > 300);
                for (CutoverState step : List.of(
                        CutoverState.FENCING,
                        CutoverState.VERIFYING_FENCE,
                        CutoverState.DRAINING,
                        CutoverState.MOVING_CONSUMERS,
                        CutoverState.SYNCING,
                        CutoverState.SWITCHING)) {
                    abortAt.set(step);
                    JsonObject ended = CutoverRuns.run(http.get(), Main.ABORTED);
                    assertThat(ended.getString("state"))
                            .as("after an abort at %s", step)
                            .isEqualTo("MIRRORING");
                    assertThat(ended.getString("result")).isEqualTo("aborted");
                    assertThat(ended.getString("reason")).contains("rollback requested");
                    JsonObject last = ended.getJsonArray("steps")
                            .getJsonObject(ended.getJsonArray("steps").size() - 1);
                    assertThat(last.getString("state")).isEqualTo(step.name());
                    assertThat(last.getString("outcome")).isEqualTo("failed");
                    long before = producers.ackedCount();
                    eventually(
                            "producers write to the source again after the abort at " + step,
                            Duration.ofSeconds(30),
                            () -> producers.ackedCount() > before + 100);
                    StraitProcess.awaitStatus(http.get() + "/gates/ready", 200, Duration.ofSeconds(60));
                }
                abortAt.set(null);
                // A group that read half of every partition on the source, and committed there.
                Map<TopicPartition, Long> committed = new HashMap<>();
                sourceEnds().forEach((tp, end) -> committed.put(tp, end / 2));
                commitOnSource(committed);
                JsonObject switched = CutoverRuns.run(http.get(), Main.OK);
                assertThat(switched.getString("state"))
                        .as(switched.encodePrettily())
                        .isEqualTo("SWITCHED");
                assertThat(switched.getString("result")).isEqualTo("switched");
                Map<TopicPartition, Long> sourceAtSwitch = sourceEnds();
                long atSwitch = producers.ackedCount();
                eventually(
                        "the producers write to the target after the switch",
                        Duration.ofSeconds(30),
                        () -> producers.ackedCount() > atSwitch + 500);
                producers.stop();
                assertThat(producers.failures()).as("failed sends").isEmpty();
                assertThat(sourceEnds())
                        .as("nothing reaches the source after the switch")
                        .isEqualTo(sourceAtSwitch);
                producers.assertExactlyOnceInOrder(CLUSTERS.targetBootstrapServers(), TOPICS, PARTITIONS);
                assertGroupTranslatedExactly(http.get(), committed);
                HttpResponse<String> gate = StraitProcess.get(http.get() + "/gates/producer-proxy");
                assertThat(gate.body()).contains("\"state\":\"switched\"");
                HttpResponse<String> again = StraitProcess.post(http.get() + "/cutover", "");
                assertThat(again.statusCode()).isEqualTo(409);
                HttpResponse<String> rollback = StraitProcess.post(http.get() + "/cutover/rollback", "");
                assertThat(rollback.statusCode()).isEqualTo(409);
                assertThat(rollback.body()).contains("switched to the target");
            } finally {
                producers.stop();
            }
        }
    }

    @Test
    void aLibrdkafkaProducerCrossesACutoverWithEveryDeliveryASuccessAndEveryRecordOnceInOrder(@TempDir Path dir)
            throws Exception {
        String topic = "rdkmoving.events";
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                    .all()
                    .get();
        }
        int port = FreePorts.range(3);
        Map<String, String> config = new HashMap<>(Map.of(
                StraitConfig.SOURCE_BOOTSTRAP_SERVERS, CLUSTERS.sourceBootstrapServers(),
                StraitConfig.TARGET_BOOTSTRAP_SERVERS, CLUSTERS.targetBootstrapServers(),
                StraitConfig.TOPICS, "rdkmoving\\..*",
                StraitConfig.LINK_NAME, "rdkmoving",
                StraitConfig.HTTP_PORT, "0",
                StraitConfig.PROXY_ENABLED, "true",
                StraitConfig.PROXY_LISTEN_PORT, String.valueOf(port),
                StraitConfig.PROXY_BROKER_PORTS, "2",
                StraitConfig.GATES_LAG_MAX_MS, "60000"));
        config.put(StraitConfig.GATES_DISABLED, "rollback");
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(config));
                LibrdkafkaProducer producer =
                        LibrdkafkaProducer.start(sidecar.proxyBootstrap(), topic, PARTITIONS, dir)) {
            String http = "http://" + sidecar.httpAddress();
            eventually(
                    "librdkafka writes through the proxy",
                    Duration.ofSeconds(30),
                    () -> producer.ackCount() > 300,
                    producer::errorTail);
            StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));
            JsonObject switched = CutoverRuns.run(http, Main.OK);
            assertThat(switched.getString("state")).isEqualTo("SWITCHED");
            long atSwitch = producer.ackCount();
            eventually(
                    "librdkafka goes on writing after the switch",
                    Duration.ofSeconds(60),
                    () -> producer.ackCount() > atSwitch + 500,
                    producer::errorTail);
            assertThat(producer.stop())
                    .as("exit code; %s", producer.errorTail())
                    .isZero();
            assertThat(producer.failures())
                    .as("delivery reports; %s", producer.errorTail())
                    .isEmpty();
            Map<TopicPartition, List<String>> onTarget =
                    ProxiedProducers.readAll(CLUSTERS.targetBootstrapServers(), List.of(topic), PARTITIONS);
            Map<Integer, List<String>> acked = producer.acked();
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(onTarget.get(new TopicPartition(topic, p)))
                        .as("partition %d on the target: every acknowledged record once, in send order", p)
                        .isEqualTo(acked.get(p));
            }
        }
    }

    private static void commitOnSource(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        offsets.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset)));
        try (KafkaConsumer<String, String> consumer = consumer(CLUSTERS.sourceBootstrapServers(), GROUP)) {
            consumer.commitSync(commits);
        }
    }

    /**
     * The SYNCING step committed the group on the target at exactly the translated offsets, and each is the target
     * offset of the very record the group would have read next on the source.
     */
    private static void assertGroupTranslatedExactly(String http, Map<TopicPartition, Long> committed)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> onTarget;
        try (Admin admin = CLUSTERS.clusters().targetAdmin()) {
            onTarget = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get();
        }
        assertThat(onTarget.keySet()).as("the group's partitions on the target").isEqualTo(committed.keySet());
        for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
            TopicPartition tp = e.getKey();
            JsonObject translated = new JsonObject(StraitProcess.get(http + "/offsets/translate?topic=" + tp.topic()
                            + "&partition=" + tp.partition() + "&offset=" + e.getValue())
                    .body());
            long targetOffset = onTarget.get(tp).offset();
            assertThat(targetOffset).as("target commit of %s", tp).isEqualTo(translated.getLong("targetOffset"));
            assertThat(recordAt(CLUSTERS.targetBootstrapServers(), tp, targetOffset))
                    .as("the record the group resumes at on %s", tp)
                    .isEqualTo(recordAt(CLUSTERS.sourceBootstrapServers(), tp, e.getValue()));
        }
    }

    /** The value of the record at {@code offset}. */
    private static String recordAt(String bootstrap, TopicPartition tp, long offset) {
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, null)) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() == offset) {
                        return r.value();
                    }
                }
            }
            throw new AssertionError("no record at " + tp + "@" + offset + " on " + bootstrap);
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private static Map<TopicPartition, Long> sourceEnds() throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (String t : TOPICS) {
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

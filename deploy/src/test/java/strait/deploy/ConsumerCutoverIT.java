package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import strait.config.StraitConfig;
import strait.cutover.CutoverState;
import strait.embedded.FreePorts;
import strait.embedded.LibrdkafkaConsumer;
import strait.embedded.SharedClusters;

/**
 * Consumers move with the producers: stock Java consumers of three groups (classic cooperative-sticky committing
 * after processing, the consumer protocol committing after processing, the consumer protocol with auto-commit) read
 * through the proxy while producers write through it; a cutover runs, with no consumer restarted. The groups that
 * commit after processing process every record exactly once across the switch, in each partition's order, counted
 * record by record; the auto-committing one at least once. A group that does not commit up to the end aborts the
 * cutover, named, and carries on on the source.
 */
class ConsumerCutoverIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final int PARTITIONS = 4;

    /** What each group processed, per partition, in the order processed, over all its members. */
    private final Map<String, Map<TopicPartition, List<String>>> processed = new ConcurrentHashMap<>();

    @Test
    void consumerGroupsMoveToTheTargetWithoutARestartReadingEveryRecordOnceAcrossTheSwitch() throws Exception {
        List<String> topics = List.of("cmoving.orders", "cmoving.payments");
        createTopics(topics);
        AtomicReference<String> abortAtSyncing = new AtomicReference<>();
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(config("cmoving")), state -> {
            String url = state == CutoverState.SYNCING ? abortAtSyncing.getAndSet(null) : null;
            if (url != null) {
                StraitProcess.post(url + "/cutover/rollback", "");
            }
        })) {
            String http = "http://" + sidecar.httpAddress();
            StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));
            ProxiedProducers producers =
                    new ProxiedProducers(sidecar.proxyBootstrap(), topics, PARTITIONS, List.of(0, 5), 200);
            List<Reader> readers = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    readers.add(reader(sidecar.proxyBootstrap(), "cmoving.classic", "classic", false, topics));
                    readers.add(reader(sidecar.proxyBootstrap(), "cmoving.modern", "consumer", false, topics));
                }
                readers.add(reader(sidecar.proxyBootstrap(), "cmoving.auto", "consumer", true, topics));
                eventually(
                        "every group reads through the proxy",
                        Duration.ofSeconds(60),
                        () -> readers.stream().allMatch(r -> r.processed.get() > 50) && producers.ackedCount() > 500);
                StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));
                // First a run rolled back once every member has let go of its partitions: their held rejoins go to
                // the source, and they carry on there.
                abortAtSyncing.set(http);
                JsonObject aborted = CutoverRuns.run(http, Main.ABORTED);
                assertThat(step(aborted, "MOVING_CONSUMERS").getString("outcome"))
                        .isEqualTo("passed");
                Map<String, Long> before = new HashMap<>();
                readers.forEach(r -> before.merge(r.group, r.processed.get(), Long::sum));
                eventually(
                        "every group reads the source again after the rollback",
                        Duration.ofSeconds(60),
                        () -> before.entrySet().stream()
                                .allMatch(e -> readers.stream()
                                                .filter(r -> r.group.equals(e.getKey()))
                                                .mapToLong(r -> r.processed.get())
                                                .sum()
                                        > e.getValue() + 100));
                StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));

                JsonObject switched = CutoverRuns.run(http, Main.OK);

                assertThat(switched.getString("state"))
                        .as(switched.encodePrettily())
                        .isEqualTo("SWITCHED");
                JsonObject moving = step(switched, "MOVING_CONSUMERS");
                assertThat(moving.getJsonObject("numbers").getJsonArray("groups"))
                        .as(moving.encodePrettily())
                        .isEqualTo(new JsonArray(List.of("cmoving.auto", "cmoving.classic", "cmoving.modern")));
                long atSwitch = producers.ackedCount();
                eventually(
                        "the producers write to the target after the switch",
                        Duration.ofSeconds(30),
                        () -> producers.ackedCount() > atSwitch + 500);
                producers.stop();
                assertThat(producers.failures()).as("failed sends").isEmpty();
                Map<TopicPartition, List<String>> onTarget =
                        ProxiedProducers.readAll(CLUSTERS.targetBootstrapServers(), topics, PARTITIONS);
                eventually(
                        "every group processed the last record of every partition",
                        Duration.ofSeconds(60),
                        () -> processed.values().stream()
                                .allMatch(g -> onTarget.entrySet().stream()
                                        .allMatch(e -> g.getOrDefault(e.getKey(), List.of())
                                                .contains(e.getValue()
                                                        .get(e.getValue().size() - 1)))));
                for (Reader reader : readers) {
                    reader.stop();
                }
                for (Reader reader : readers) {
                    assertThat(reader.errors)
                            .as("consumer errors of %s", reader.group)
                            .isEmpty();
                }
                for (String group : List.of("cmoving.classic", "cmoving.modern")) {
                    Map<TopicPartition, List<String>> byGroup = processed.get(group);
                    for (Map.Entry<TopicPartition, List<String>> e : onTarget.entrySet()) {
                        assertThat(byGroup.getOrDefault(e.getKey(), List.of()))
                                .as(
                                        "group %s on %s: every record once, in order (0 re-read, 0 skipped)",
                                        group, e.getKey())
                                .isEqualTo(e.getValue());
                    }
                }
                Map<TopicPartition, List<String>> auto = processed.get("cmoving.auto");
                onTarget.forEach((tp, values) -> assertThat(auto.getOrDefault(tp, List.of()))
                        .as("auto-committing group on %s: every record at least once", tp)
                        .containsAll(values));
                for (Reader reader : readers) {
                    assertThat(reader.longestPauseMs())
                            .as("longest pause in consumption of %s", reader.group)
                            .isLessThan(30_000);
                }
                System.out.printf(
                        "consumer cutover: held writes %d ms; per reader, longest pause in consumption, commits put"
                                + " off by a rebalance and partitions lost: %s%n",
                        switched.getLong("heldMs", -1L),
                        readers.stream()
                                .map(r -> r.group + "=" + r.longestPauseMs() + " ms/" + r.rebalancingCommits.get() + "/"
                                        + r.lostPartitions.get())
                                .toList());
            } finally {
                producers.stop();
                for (Reader reader : readers) {
                    reader.stop();
                }
            }
        }
    }

    @Test
    void aGroupThatDoesNotCommitUpToTheEndAbortsTheCutoverByNameAndGoesOnReadingTheSource() throws Exception {
        List<String> topics = List.of("cstuck.events");
        createTopics(topics);
        Map<String, String> config = config("cstuck");
        config.put(StraitConfig.CUTOVER_CONSUMERS_MAX_MS, "2000");
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(config))) {
            String http = "http://" + sidecar.httpAddress();
            StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));
            ProxiedProducers producers =
                    new ProxiedProducers(sidecar.proxyBootstrap(), topics, PARTITIONS, List.of(0), 200);
            Reader committing = reader(sidecar.proxyBootstrap(), "cstuck.good", "classic", false, topics);
            Reader lazy = reader(sidecar.proxyBootstrap(), "cstuck.lazy", "consumer", false, topics);
            lazy.commits.set(false);
            try {
                eventually(
                        "both groups read through the proxy",
                        Duration.ofSeconds(60),
                        () -> committing.processed.get() > 50 && lazy.processed.get() > 50);
                lazy.commitOnce();
                StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));

                JsonObject aborted = CutoverRuns.run(http, Main.ABORTED);

                assertThat(aborted.getString("state")).isEqualTo("MIRRORING");
                assertThat(aborted.getString("reason"))
                        .as(aborted.encodePrettily())
                        .contains("cutover.consumers.max.ms (2000 ms)")
                        .contains("cstuck.lazy (cstuck.events-")
                        .doesNotContain("cstuck.good");
                long before = committing.processed.get();
                long lazyBefore = lazy.processed.get();
                eventually(
                        "both groups go on reading the source after the abort",
                        Duration.ofSeconds(30),
                        () -> committing.processed.get() > before + 100 && lazy.processed.get() > lazyBefore + 100);
                assertThat(committing.errors).isEmpty();
            } finally {
                producers.stop();
                committing.stop();
                lazy.stop();
            }
        }
    }

    @Test
    void aLibrdkafkaConsumerMovesToTheTargetWithoutARestartReadingEveryRecordOnce(@TempDir Path dir) throws Exception {
        String topic = "crdk.events";
        createTopics(List.of(topic));
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(config("crdk")));
                LibrdkafkaConsumer consumer =
                        LibrdkafkaConsumer.start(sidecar.proxyBootstrap(), topic, "crdk.group", dir)) {
            String http = "http://" + sidecar.httpAddress();
            StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));
            ProxiedProducers producers =
                    new ProxiedProducers(sidecar.proxyBootstrap(), List.of(topic), PARTITIONS, List.of(0), 200);
            try {
                eventually(
                        "librdkafka reads through the proxy",
                        Duration.ofSeconds(60),
                        () -> consumer.count() > 100,
                        consumer::errorTail);
                StraitProcess.awaitStatus(http + "/gates/ready", 200, Duration.ofSeconds(60));

                JsonObject switched = CutoverRuns.run(http, Main.OK);

                assertThat(step(switched, "MOVING_CONSUMERS")
                                .getJsonObject("numbers")
                                .getJsonArray("groups"))
                        .isEqualTo(new JsonArray(List.of("crdk.group")));
                long atSwitch = producers.ackedCount();
                eventually(
                        "the producers write to the target after the switch",
                        Duration.ofSeconds(30),
                        () -> producers.ackedCount() > atSwitch + 300);
                producers.stop();
                assertThat(producers.failures()).as("failed sends").isEmpty();
                Map<TopicPartition, List<String>> onTarget =
                        ProxiedProducers.readAll(CLUSTERS.targetBootstrapServers(), List.of(topic), PARTITIONS);
                eventually(
                        "librdkafka processed the last record of every partition, from the target",
                        Duration.ofSeconds(60),
                        () -> onTarget.entrySet().stream()
                                .allMatch(e -> consumer.processed()
                                        .getOrDefault(e.getKey().partition(), List.of())
                                        .contains(e.getValue().get(e.getValue().size() - 1))),
                        consumer::errorTail);
                assertThat(consumer.stop())
                        .as("exit code; %s", consumer.errorTail())
                        .isZero();
                Map<Integer, List<String>> processed = consumer.processed();
                onTarget.forEach((tp, values) -> assertThat(processed.getOrDefault(tp.partition(), List.of()))
                        .as("librdkafka on %s: every record once, in order; %s", tp, consumer.errorTail())
                        .isEqualTo(values));
                assertThat(consumer.unexpected()).isEmpty();
            } finally {
                producers.stop();
            }
        }
    }

    private static void createTopics(List<String> topics) throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(topics.stream()
                            .map(t -> new NewTopic(t, PARTITIONS, (short) 1))
                            .toList())
                    .all()
                    .get();
        }
    }

    private static Map<String, String> config(String link) {
        Map<String, String> config = new HashMap<>(Map.of(
                StraitConfig.SOURCE_BOOTSTRAP_SERVERS,
                CLUSTERS.sourceBootstrapServers(),
                StraitConfig.TARGET_BOOTSTRAP_SERVERS,
                CLUSTERS.targetBootstrapServers(),
                StraitConfig.TOPICS,
                link + "\\..*",
                StraitConfig.GROUPS,
                link + "\\..*",
                StraitConfig.LINK_NAME,
                link,
                StraitConfig.HTTP_PORT,
                "0",
                StraitConfig.PROXY_ENABLED,
                "true",
                StraitConfig.PROXY_LISTEN_PORT,
                String.valueOf(FreePorts.range(3)),
                StraitConfig.PROXY_BROKER_PORTS,
                "2"));
        config.put(StraitConfig.GATES_LAG_MAX_MS, "60000");
        // Moving consumers is this test's subject, not rehearsing (decision 0013).
        config.put(StraitConfig.GATES_DISABLED, "rollback");
        return config;
    }

    private static JsonObject step(JsonObject cutover, String state) {
        return cutover.getJsonArray("steps").stream()
                .map(JsonObject.class::cast)
                .filter(s -> s.getString("state").equals(state))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + state + " step in " + cutover.encodePrettily()));
    }

    /**
     * One stock consumer on its own thread, polling through the proxy for the whole test, recording every record it
     * processes into its group's per-partition lists (members hand partitions over at commits, so appends of
     * one partition never interleave) and the longest gap between two polls that returned records.
     */
    private Reader reader(String bootstrap, String group, String protocol, boolean autoCommit, List<String> topics) {
        return new Reader(
                bootstrap,
                group,
                protocol,
                autoCommit,
                topics,
                processed.computeIfAbsent(group, g -> new ConcurrentHashMap<>()));
    }

    private static final class Reader {
        final String group;
        final AtomicLong processed = new AtomicLong();
        final AtomicBoolean commits = new AtomicBoolean(true);
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final Map<TopicPartition, List<String>> values;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicBoolean commitRequested = new AtomicBoolean();
        private final AtomicLong longestPauseNanos = new AtomicLong();
        /** Partitions taken away without a revocation (the member was fenced or its group moved). */
        private final AtomicLong lostPartitions = new AtomicLong();
        /** Commits put off because the group was rebalancing. */
        private final AtomicLong rebalancingCommits = new AtomicLong();
        /** Processed and not yet committed by this reader, per partition; the reader thread's own. */
        private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();

        private final Thread thread;

        Reader(
                String bootstrap,
                String group,
                String protocol,
                boolean autoCommit,
                List<String> topics,
                Map<TopicPartition, List<String>> values) {
            this.group = group;
            this.values = values;
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, autoCommit);
            props.put(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 1000);
            if (protocol.equals("classic")) {
                props.put(
                        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            }
            KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
            thread = new Thread(() -> run(consumer, topics, autoCommit), "reader-" + group);
            thread.setDaemon(true);
            thread.start();
        }

        private void run(KafkaConsumer<String, String> consumer, List<String> topics, boolean autoCommit) {
            try (consumer) {
                consumer.subscribe(topics, new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        // What a correct application does: what it processed of a partition it gives up is committed
                        // before the next owner reads the group's offset.
                        if (!autoCommit && commits.get() && !commit(consumer, partitions)) {
                            errors.add("could not commit " + partitions + " on revocation: the next owner reads what"
                                    + " was processed since the last commit again");
                        }
                        partitions.forEach(uncommitted::remove);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        // Harmless when everything processed was committed (as at the switch, when a member's
                        // rejoin reaches the target); otherwise the next owner reads those records again.
                        lostPartitions.addAndGet(partitions.size());
                        for (TopicPartition tp : partitions) {
                            OffsetAndMetadata pending = uncommitted.remove(tp);
                            if (pending != null) {
                                errors.add("lost " + tp + " with records processed up to offset " + pending.offset()
                                        + " not committed");
                            }
                        }
                    }
                });
                long lastRecords = 0;
                while (running.get()) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                    if (records.isEmpty()) {
                        if (commitRequested.getAndSet(false)) {
                            commit(consumer, uncommitted.keySet());
                        }
                        continue;
                    }
                    long now = System.nanoTime();
                    if (lastRecords != 0) {
                        longestPauseNanos.accumulateAndGet(now - lastRecords, Math::max);
                    }
                    lastRecords = now;
                    for (ConsumerRecord<String, String> r : records) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        values.computeIfAbsent(tp, p -> new CopyOnWriteArrayList<>())
                                .add(r.value());
                        if (!autoCommit) {
                            uncommitted.put(tp, new OffsetAndMetadata(r.offset() + 1));
                        }
                        processed.incrementAndGet();
                    }
                    if (!autoCommit && (commits.get() || commitRequested.getAndSet(false))) {
                        commit(consumer, uncommitted.keySet());
                    }
                }
            } catch (RuntimeException e) {
                errors.add(e.toString());
            }
        }

        /**
         * Commits what was processed of these partitions, those still assigned; whether it did. A commit refused
         * because the group is rebalancing is put off, not an error: the next poll completes the rebalance, and the
         * offsets are committed then, or on revocation before another member reads them.
         */
        private boolean commit(KafkaConsumer<String, String> consumer, Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            Set<TopicPartition> assigned = consumer.assignment();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata offset = uncommitted.get(tp);
                if (offset != null && assigned.contains(tp)) {
                    offsets.put(tp, offset);
                }
            }
            if (offsets.isEmpty()) {
                return true;
            }
            try {
                consumer.commitSync(offsets);
                offsets.keySet().forEach(uncommitted::remove);
                return true;
            } catch (RebalanceInProgressException e) {
                rebalancingCommits.incrementAndGet();
                return false;
            }
        }

        /** Commits once at its next poll, for a reader that does not commit otherwise. */
        void commitOnce() {
            commitRequested.set(true);
        }

        long longestPauseMs() {
            return longestPauseNanos.get() / 1_000_000;
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }
}

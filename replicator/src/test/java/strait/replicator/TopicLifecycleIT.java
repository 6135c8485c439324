package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;
import static strait.replicator.Fixtures.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;
import strait.offsets.OffsetMap;
import strait.offsets.OffsetMapStore;
import strait.offsets.OffsetMaps;
import strait.offsets.Translation;

/**
 * Topics and partitions appear while the replicator runs; a record the target refuses stops only its partition; a
 * target that throttles the replicator until its sends time out costs nothing once it lets them through again.
 */
class TopicLifecycleIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    @Test
    void aTopicCreatedAndAPartitionAddedWhileRunningArePickedUp() throws Exception {
        Map<String, String> props =
                config(CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), "life-.*", "life-link");
        props.put(StraitConfig.TOPICS_REFRESH_INTERVAL_MS, "500");
        StraitConfig config = StraitConfig.parse(props);
        try (Admin source = CLUSTERS.clusters().sourceAdmin();
                KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of())) {
            createTopic(source, "life-a", 1, Map.of());
            produce(producer, "life-a", 0, 100);
            try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                    Replicator replicator =
                            new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
                replicator.start();
                awaitCaughtUp("life-a is replicated", Duration.ofSeconds(60), replicator::status, "life-a", 1);

                createTopic(source, "life-b", 2, Map.of("cleanup.policy", "compact", "retention.ms", "3600000"));
                produce(producer, "life-b", 0, 50);
                produce(producer, "life-b", 1, 50);
                awaitCaughtUp(
                        "the new topic life-b is replicated", Duration.ofSeconds(60), replicator::status, "life-b", 2);

                source.createPartitions(Map.of("life-a", NewPartitions.increaseTo(3)))
                        .all()
                        .get();
                produce(producer, "life-a", 2, 30);
                awaitCaughtUp(
                        "the added partition life-a-2 is replicated",
                        Duration.ofSeconds(60),
                        replicator::status,
                        "life-a",
                        3);

                TopicParity b = replicator.status().topics().stream()
                        .filter(t -> t.topic().equals("life-b"))
                        .findFirst()
                        .orElseThrow();
                assertThat(b.problems()).as("created with the source's configs").isEmpty();
                assertThat(b.writable()).isTrue();
            }
        }
        assertIdentical(
                readAll(CLUSTERS.sourceBootstrapServers(), "life-a", "read_committed"),
                readAll(CLUSTERS.targetBootstrapServers(), "life-a", "read_uncommitted"));
        assertIdentical(
                readAll(CLUSTERS.sourceBootstrapServers(), "life-b", "read_committed"),
                readAll(CLUSTERS.targetBootstrapServers(), "life-b", "read_uncommitted"));
        try (Admin target = CLUSTERS.clusters().targetAdmin()) {
            var configs = target.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "life-b")))
                    .all()
                    .get();
            var config2 = configs.values().iterator().next();
            assertThat(config2.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config2.get("retention.ms").value()).isEqualTo("3600000");
        }
    }

    @Test
    void aSourceTopicDeletedWhileCopyingIsForgottenAndOneCreatedAgainUnderItsNameStops() throws Exception {
        String doomed = "doomed-topic";
        String kept = "kept-topic";
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(source, doomed, 1, Map.of());
            createTopic(source, kept, 1, Map.of());
        }
        Map<String, String> props = config(
                CLUSTERS.sourceBootstrapServers(),
                CLUSTERS.targetBootstrapServers(),
                exactly(doomed) + "|" + exactly(kept),
                "doomed-link");
        props.put(StraitConfig.TOPICS_REFRESH_INTERVAL_MS, "500");
        StraitConfig config = StraitConfig.parse(props);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of());
                OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, registry)) {
            produce(producer, doomed, 0, 10);
            produce(producer, kept, 0, 10);
            replicator.start();
            awaitCaughtUp("replicated", Duration.ofSeconds(60), replicator::status, doomed, 1);
            awaitCaughtUp("replicated", Duration.ofSeconds(60), replicator::status, kept, 1);

            // when the source topic is deleted, it is no longer reported, so it cannot hold the gates
            try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
                source.deleteTopics(List.of(doomed)).all().get();
            }
            java.time.Instant deletedAt = java.time.Instant.now();
            eventually("the deleted topic is forgotten and the status stays fresh", Duration.ofSeconds(60), () -> {
                ReplicatorStatus status = replicator.status();
                return status.partitions().stream().noneMatch(p -> p.topic().equals(doomed))
                        && status.refreshedAt().isAfter(deletedAt.plusSeconds(2));
            });
            assertThat(registry.find("strait.lag.records").tag("topic", doomed).gauges())
                    .isEmpty();
            assertThat(partition(replicator, kept, 0).state()).isEqualTo(PartitionRunState.RUNNING);

            // when a topic of the same name is created again, its offsets start over: it is not mixed in
            try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
                eventually("the source topic can be created again", Duration.ofSeconds(60), () -> {
                    try {
                        createTopic(source, doomed, 1, Map.of());
                        return true;
                    } catch (Exception e) {
                        return false; // the deletion is still being completed
                    }
                });
            }
            produce(producer, doomed, 0, 20);
            eventually(
                    "its partition stops",
                    Duration.ofSeconds(60),
                    () -> replicator.status().partitions().stream()
                            .anyMatch(p -> p.topic().equals(doomed) && p.state() == PartitionRunState.STOPPED));
            assertThat(partition(replicator, doomed, 0).stoppedReason()).contains("deleted and created again");
        }
        assertThat(readAll(CLUSTERS.targetBootstrapServers(), doomed, "read_uncommitted")
                        .get(0))
                .as("the target keeps the old topic's records only")
                .hasSize(10);
    }

    @Test
    void aSourceTopicCreatedAgainWhileTheLinkWasStoppedIsRecognisedAtTheNextStart() throws Exception {
        String topic = "reborn-topic";
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(source, topic, 1, Map.of());
        }
        StraitConfig config = StraitConfig.parse(config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "reborn-link"));
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of())) {
            produce(producer, topic, 0, 10);
            try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                    Replicator replicator =
                            new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
                replicator.start();
                awaitCaughtUp("replicated", Duration.ofSeconds(60), replicator::status, topic, 1);
            }

            // while the link is stopped, the source topic is deleted and created again, and gets more records
            // than the link had copied: resuming at the old position would skip the new topic's first ones
            try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
                source.deleteTopics(List.of(topic)).all().get();
                eventually("the source topic can be created again", Duration.ofSeconds(60), () -> {
                    try {
                        createTopic(source, topic, 1, Map.of());
                        return true;
                    } catch (Exception e) {
                        return false; // the deletion is still being completed
                    }
                });
            }
            produce(producer, topic, 0, 30);
        }
        try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
            replicator.start();
            eventually(
                    "the partition stops",
                    Duration.ofSeconds(60),
                    () -> partition(replicator, topic, 0).state() == PartitionRunState.STOPPED);
            assertThat(partition(replicator, topic, 0).stoppedReason()).contains("deleted and created again");
        }
        assertThat(readAll(CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted")
                        .get(0))
                .as("the target keeps the old topic's records only")
                .hasSize(10);
    }

    @Test
    void aRecordTooLargeForTheTargetStopsOnlyItsPartitionWithAReason() throws Exception {
        String topic = "big-records";
        try (Admin source = CLUSTERS.clusters().sourceAdmin();
                Admin target = CLUSTERS.clusters().targetAdmin()) {
            createTopic(source, topic, 2, Map.of());
            createTopic(target, topic, 2, Map.of("max.message.bytes", "2000"));
        }
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of())) {
            produce(producer, topic, 0, 10);
            producer.send(new ProducerRecord<>(topic, 0, null, new byte[5_000])).get();
            produce(producer, topic, 0, 10);
            produce(producer, topic, 1, 20);
        }
        Map<String, String> props = config(
                CLUSTERS.sourceBootstrapServers(),
                CLUSTERS.targetBootstrapServers(),
                java.util.regex.Pattern.quote(topic),
                "big-link");
        StraitConfig config = StraitConfig.parse(props);
        try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
            replicator.start();
            eventually(
                    "partition 0 stops",
                    Duration.ofSeconds(60),
                    () -> partition(replicator, topic, 0).state() == PartitionRunState.STOPPED);
            PartitionStatus stopped = partition(replicator, topic, 0);
            assertThat(stopped.stoppedReason()).contains("RecordTooLargeException");
            try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of())) {
                produce(producer, topic, 1, 20);
            }
            eventually("partition 1 keeps flowing", Duration.ofSeconds(60), () -> {
                PartitionStatus p = partition(replicator, topic, 1);
                return p.state() == PartitionRunState.RUNNING && p.replicated() == 40 && p.sourceEnd() == 40;
            });
            assertThat(partition(replicator, topic, 0).replicated())
                    .as("stops just before the large record")
                    .isEqualTo(10);
        }
        var source = readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed");
        var target = readAll(CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted");
        assertThat(target.get(1)).hasSize(40);
        assertThat(target.get(0))
                .as("only the records before the large one, none after it")
                .hasSize(10);
        source.put(0, source.get(0).subList(0, 10));
        assertIdentical(source, target);
    }

    @Test
    void recordsTheTargetWouldRefuseStopTheirPartitionBeforeAnythingAfterThemIsSent() throws Exception {
        String topic = "refused-records";
        try (Admin source = CLUSTERS.clusters().sourceAdmin();
                Admin target = CLUSTERS.clusters().targetAdmin()) {
            // the source takes timestamps up to a day ahead, and had no key rule before it became compacted
            createTopic(source, topic, 3, Map.of("message.timestamp.after.max.ms", "86400000"));
            try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of())) {
                produce(producer, topic, 0, 5);
                producer.send(new ProducerRecord<>(
                                topic,
                                0,
                                System.currentTimeMillis() + 7_200_000L,
                                "ahead".getBytes(StandardCharsets.UTF_8),
                                "2 h ahead".getBytes(StandardCharsets.UTF_8)))
                        .get();
                produce(producer, topic, 0, 5);
                produce(producer, topic, 1, 5);
                producer.send(new ProducerRecord<>(topic, 1, null, "no key".getBytes(StandardCharsets.UTF_8)))
                        .get();
                produce(producer, topic, 1, 5);
                produce(producer, topic, 2, 10);
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            source.incrementalAlterConfigs(Map.of(
                            resource,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
            // the target exists already, compacted, with Kafka's default bound of one hour ahead
            createTopic(target, topic, 3, Map.of("cleanup.policy", "compact"));
        }
        StraitConfig config = StraitConfig.parse(config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "refused-link"));
        try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
            replicator.start();
            eventually(
                    "partitions 0 and 1 stop",
                    Duration.ofSeconds(60),
                    () -> partition(replicator, topic, 0).state() == PartitionRunState.STOPPED
                            && partition(replicator, topic, 1).state() == PartitionRunState.STOPPED);
            assertThat(partition(replicator, topic, 0).stoppedReason())
                    .contains("source record at offset 5")
                    .contains("message.timestamp.after.max.ms");
            assertThat(partition(replicator, topic, 1).stoppedReason())
                    .contains("source record at offset 5")
                    .contains("has no key")
                    .contains("compacted");
            eventually("partition 2 is copied", Duration.ofSeconds(60), () -> {
                PartitionStatus p = partition(replicator, topic, 2);
                return p.state() == PartitionRunState.RUNNING && p.replicated() == 10;
            });
        }
        var source = readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed");
        var target = readAll(CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted");
        assertThat(target.get(0))
                .as("only the records before the refused one, none after it")
                .hasSize(5);
        assertThat(target.get(1))
                .as("only the records before the refused one, none after it")
                .hasSize(5);
        source.put(0, source.get(0).subList(0, 5));
        source.put(1, source.get(1).subList(0, 5));
        assertIdentical(source, target);
    }

    @Test
    void aSecondInstanceOfTheLinkFencesTheFirstWhichStopsWriting() throws Exception {
        String topic = "fenced-topic";
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(source, topic, 2, Map.of());
        }
        Map<String, String> props = config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "fence-link");
        // Two pipelines: both sender threads share the fence and must both learn they were fenced.
        props.put(StraitConfig.REPLICATION_PIPELINES, "2");
        StraitConfig config = StraitConfig.parse(props);
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of());
                OffsetMapStore store1 = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator first = new Replicator(config, new OffsetMaps(), store1, new SimpleMeterRegistry())) {
            produce(producer, topic, 0, 10);
            produce(producer, topic, 1, 10);
            first.start();
            awaitCaughtUp("the first instance replicates", Duration.ofSeconds(60), first::status, topic, 2);
            try (OffsetMapStore store2 = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                    Replicator second = new Replicator(config, new OffsetMaps(), store2, new SimpleMeterRegistry())) {
                second.start();
                produce(producer, topic, 0, 10);
                produce(producer, topic, 1, 10);
                for (int p = 0; p < 2; p++) {
                    int partition = p;
                    eventually(
                            "the first instance is fenced",
                            Duration.ofSeconds(60),
                            () -> partition(first, topic, partition).state() == PartitionRunState.STOPPED);
                    assertThat(partition(first, topic, partition).stoppedReason())
                            .contains("fenced");
                }
                awaitCaughtUp("the second instance replicates", Duration.ofSeconds(60), second::status, topic, 2);
            }
        }
        assertIdentical(
                readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed"),
                readAll(CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted"));
    }

    @Test
    void anInstanceThatStopsCleanlyReleasesTheFenceSoTheNextNeedNotWait() throws Exception {
        String topic = "released-topic";
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(source, topic, 1, Map.of());
        }
        StraitConfig config = StraitConfig.parse(config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "release-link"));
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of());
                OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
            produce(producer, topic, 0, 10);
            replicator.start();
            awaitCaughtUp("replicated", Duration.ofSeconds(60), replicator::status, topic, 1);
        }
        try (Admin target = CLUSTERS.clusters().targetAdmin();
                LinkFence next = LinkFence.acquire(target, config.targetClientProps(), config.linkName())) {
            assertThat(next.lastWord(target))
                    .as("the last word on the fence topic")
                    .hasValueSatisfying(word -> assertThat(word.released()).isTrue());

            // while an instance that proved the fence and then vanished leaves a proof: the next one waits
            assertThat(next.check()).isEqualTo(LinkFence.Verdict.HELD);
            eventually("a check proves the fence on the topic", Duration.ofSeconds(30), () -> {
                assertThat(next.check()).isEqualTo(LinkFence.Verdict.HELD);
                return next.lastWord(target).map(word -> !word.released()).orElse(false);
            });
        }
        try (Admin target = CLUSTERS.clusters().targetAdmin();
                LinkFence after = LinkFence.acquire(target, config.targetClientProps(), config.linkName())) {
            assertThat(after.lastWord(target)).hasValueSatisfying(word -> {
                assertThat(word.released()).isFalse();
                assertThat(word.at()).isAfter(java.time.Instant.now().minusSeconds(60));
            });
        }
    }

    @Test
    void sendsThatTimeOutWhileTheTargetThrottlesAreReconciledAndResumedWithoutLossOrDuplicates() throws Exception {
        String topic = "throttled-target";
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(source, topic, 2, Map.of());
        }
        Map<String, String> props = config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "throttled-link");
        // Sends give up after 3 s instead of 2 min, so the throttling below makes some fail.
        props.put("target.delivery.timeout.ms", "3000");
        props.put("target.request.timeout.ms", "1000");
        StraitConfig config = StraitConfig.parse(props);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Admin target = CLUSTERS.clusters().targetAdmin();
                KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of());
                OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, registry)) {
            produce(producer, topic, 0, 200);
            produce(producer, topic, 1, 200);
            replicator.start();
            awaitCaughtUp("the first records are replicated", Duration.ofSeconds(60), replicator::status, topic, 2);

            // when the target throttles the replicator to 512 bytes/s while records keep coming
            produceQuota(target, "strait-throttled-link-sender", 512.0);
            int[] bursts = {0};
            eventually("sends time out while throttled", Duration.ofSeconds(60), () -> {
                produceUnchecked(producer, topic, bursts[0]++ % 2, 20);
                return targetErrors(registry) > 0;
            });

            // then, once the throttle is lifted, everything arrives once
            produceQuota(target, "strait-throttled-link-sender", null);
            produce(producer, topic, 0, 100);
            produce(producer, topic, 1, 100);
            awaitCaughtUp("replication resumes and catches up", Duration.ofSeconds(90), replicator::status, topic, 2);
            assertThat(registry.find("strait.errors").tags("side", "target").counters())
                    .as("only transient kinds: nothing stopped")
                    .allMatch(c ->
                            List.of("timeout", "retriable").contains(c.getId().getTag("kind")));
        }
        assertIdentical(
                readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed"),
                readAll(CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted"));
    }

    @Test
    void offsetsRetentionDeletedFromTheSourceTranslateAsBelowRetentionAlsoAfterARestart() throws Exception {
        String topic = "retained-topic";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(source, topic, 1, Map.of());
        }
        Map<String, String> props = config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "retained-link");
        props.put(StraitConfig.TOPICS_REFRESH_INTERVAL_MS, "300");
        StraitConfig config = StraitConfig.parse(props);
        try (Admin source = CLUSTERS.clusters().sourceAdmin();
                KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of())) {
            produce(producer, topic, 0, 1_000);
            OffsetMaps maps = new OffsetMaps();
            try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                    Replicator replicator = new Replicator(config, maps, store, new SimpleMeterRegistry())) {
                replicator.start();
                awaitCaughtUp("replicated", Duration.ofSeconds(60), replicator::status, topic, 1);
                assertThat(maps.translate(tp, 100)).isEqualTo(new Translation.Exact(100));

                // when retention (here deleteRecords) moves the source log start to 600, and records keep coming
                source.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(600)))
                        .all()
                        .get();
                eventually("the map forgets what the source deleted", Duration.ofSeconds(60), () -> {
                    produceUnchecked(producer, topic, 0, 1);
                    return maps.translate(tp, 100) instanceof Translation.BelowRetention;
                });
                assertThat(maps.translate(tp, 599)).isEqualTo(new Translation.BelowRetention(600));
                assertThat(maps.translate(tp, 600)).isEqualTo(new Translation.Exact(600));
                awaitCaughtUp("caught up", Duration.ofSeconds(60), replicator::status, topic, 1);
            }
            // then a restart rebuilds the trimmed map from the target
            try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName())) {
                OffsetMap rebuilt = store.load().get(tp);
                assertThat(rebuilt.translate(599)).isEqualTo(new Translation.BelowRetention(600));
                assertThat(rebuilt.translate(600)).isEqualTo(new Translation.Exact(600));
                assertThat(rebuilt.runCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void aRecordAnotherProducerWritesToTheTargetStopsThatPartitionInsteadOfInterleaving() throws Exception {
        String topic = "shared-target";
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(source, topic, 2, Map.of());
        }
        StraitConfig config = StraitConfig.parse(config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "shared-link"));
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of());
                KafkaProducer<byte[], byte[]> intruder = producer(CLUSTERS.targetBootstrapServers(), Map.of());
                OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
            produce(producer, topic, 0, 10);
            produce(producer, topic, 1, 10);
            replicator.start();
            awaitCaughtUp("replicated", Duration.ofSeconds(60), replicator::status, topic, 2);

            // when an application writes to target partition 0 while the link still copies into it
            intruder.send(new ProducerRecord<>(topic, 0, null, "too early".getBytes(StandardCharsets.UTF_8)))
                    .get();
            produce(producer, topic, 0, 10);
            produce(producer, topic, 1, 10);

            // then partition 0 stops, saying so; partition 1 keeps flowing
            eventually(
                    "partition 0 stops",
                    Duration.ofSeconds(60),
                    () -> partition(replicator, topic, 0).state() == PartitionRunState.STOPPED);
            assertThat(partition(replicator, topic, 0).stoppedReason())
                    .contains("offsets 10..10 were written by another producer");
            assertThat(partition(replicator, topic, 0).replicated())
                    .as("nothing counted after the foreign record")
                    .isEqualTo(10);
            eventually("partition 1 keeps flowing", Duration.ofSeconds(60), () -> {
                PartitionStatus p = partition(replicator, topic, 1);
                return p.state() == PartitionRunState.RUNNING && p.replicated() == 20 && p.sourceEnd() == 20;
            });
        }
    }

    @Test
    void aTargetTopicRecreatedUnderTheLinkStopsItsPartitionsSayingTheTargetLostRecords() throws Exception {
        String topic = "recreated-target";
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(source, topic, 1, Map.of());
        }
        Map<String, String> props = config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "recreated-link");
        props.put(StraitConfig.TOPICS_REFRESH_INTERVAL_MS, "500");
        StraitConfig config = StraitConfig.parse(props);
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of());
                OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
            produce(producer, topic, 0, 10);
            replicator.start();
            awaitCaughtUp("replicated", Duration.ofSeconds(60), replicator::status, topic, 1);

            // when someone deletes the target topic (Strait creates it again, empty) and the source goes on
            try (Admin target = CLUSTERS.clusters().targetAdmin()) {
                target.deleteTopics(List.of(topic)).all().get();
            }
            eventually("the partition stops", Duration.ofSeconds(60), () -> {
                produceUnchecked(producer, topic, 0, 1);
                return partition(replicator, topic, 0).state() == PartitionRunState.STOPPED;
            });

            // then it says the target lost what the link wrote, instead of writing on as if nothing happened
            assertThat(partition(replicator, topic, 0).stoppedReason()).contains("lost records this link wrote");
        }
    }

    @Test
    void aRecordAnotherProducerWritesToAQuietTargetPartitionStopsItWithoutWaitingForTheNextSourceRecord()
            throws Exception {
        String topic = "quiet-shared-target";
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(source, topic, 1, Map.of());
        }
        StraitConfig config = StraitConfig.parse(config(
                CLUSTERS.sourceBootstrapServers(),
                CLUSTERS.targetBootstrapServers(),
                exactly(topic),
                "quiet-shared-link"));
        try (KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.sourceBootstrapServers(), Map.of());
                KafkaProducer<byte[], byte[]> intruder = producer(CLUSTERS.targetBootstrapServers(), Map.of());
                OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
            produce(producer, topic, 0, 5);
            replicator.start();
            awaitCaughtUp("replicated", Duration.ofSeconds(60), replicator::status, topic, 1);

            // when an application writes to the target partition and the source stays quiet
            intruder.send(new ProducerRecord<>(topic, 0, null, "too early".getBytes(StandardCharsets.UTF_8)))
                    .get();

            // then the status refresh sees the target end past the link's position and stops the partition
            eventually(
                    "the partition stops",
                    Duration.ofSeconds(30),
                    () -> partition(replicator, topic, 0).state() == PartitionRunState.STOPPED);
            assertThat(partition(replicator, topic, 0).stoppedReason())
                    .contains("ends at offset 6")
                    .contains("offsets 5..5 were written by another producer");
        }
    }

    private static double targetErrors(SimpleMeterRegistry registry) {
        return registry.find("strait.errors").tags("side", "target").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum();
    }

    /** Sets (or with null, removes) the target's produce quota of one client id. */
    private static void produceQuota(Admin target, String clientId, Double bytesPerSecond) throws Exception {
        ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId));
        target.alterClientQuotas(List.of(new ClientQuotaAlteration(
                        entity, List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond)))))
                .all()
                .get();
    }

    private static PartitionStatus partition(Replicator replicator, String topic, int partition) {
        return replicator.status().partitions().stream()
                .filter(p -> p.topic().equals(topic) && p.partition() == partition)
                .findFirst()
                .orElse(new PartitionStatus(topic, partition, -1, -1, -1, 0, 0, PartitionRunState.PENDING, null, 0, 0));
    }

    /** {@link #produce} inside a polled condition, which cannot throw checked exceptions. */
    private static void produceUnchecked(KafkaProducer<byte[], byte[]> producer, String topic, int partition, int n) {
        try {
            produce(producer, topic, partition, n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void produce(KafkaProducer<byte[], byte[]> producer, String topic, int partition, int n)
            throws Exception {
        for (int i = 0; i < n; i++) {
            producer.send(new ProducerRecord<>(
                    topic,
                    partition,
                    ("k" + i).getBytes(StandardCharsets.UTF_8),
                    (topic + "-" + partition + "-" + i + "-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
    }
}

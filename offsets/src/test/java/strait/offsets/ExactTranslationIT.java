package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;
import static strait.offsets.GappedSource.text;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;

/** The Done-when of issue 4 on real brokers: compaction gaps, markers and aborted records, restart, groups, MM2. */
class ExactTranslationIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void translatesEveryCommittedOffsetToTheFirstSourceRecordAtOrAfterIt() throws Exception {
        // given a source partition with compaction gaps, markers and aborted records, copied to the target
        TopicPartition tp = gappedTopic("exact");
        OffsetMap map = OffsetMap.startingAt(0, 0);
        try (TestCopier copier = new TestCopier(source(), target(), tp)) {
            copier.copyToEnd(map, null, TIMEOUT);
        }
        List<ConsumerRecord<byte[], byte[]>> sourceRecords = GappedSource.readAll(source(), tp);
        // then
        System.out.printf(
                "EXACT offsets=%d records=%d runs=%d%n",
                map.replicatedPosition(), sourceRecords.size(), map.runCount());
        assertThat(map.runCount()).isGreaterThan(10);
        assertThat(map.replicatedPosition()).isGreaterThan(2_000);
        assertExact(map, sourceRecords, targetRecords(tp));
    }

    @Test
    void rebuildsTheSameAnswersAfterRestartAndResumesWithoutRereadingTheSource() throws Exception {
        // given a copy persisted as it went
        TopicPartition tp = gappedTopic("restart");
        String link = "restart-link";
        OffsetMap before = OffsetMap.startingAt(0, 0);
        try (OffsetMapStore store = OffsetMapStore.open(targetProps(), link);
                TestCopier copier = new TestCopier(source(), target(), tp)) {
            copier.copyToEnd(before, store, TIMEOUT);
            store.flush();
        }
        // when the sidecar restarts: the map is rebuilt from the target, then copying resumes after new records
        OffsetMap after;
        try (OffsetMapStore store = OffsetMapStore.open(targetProps(), link)) {
            after = store.load().get(tp);
            for (long s = 0; s <= before.replicatedPosition() + 1; s++) {
                assertThat(after.translate(s)).as("s=%d", s).isEqualTo(before.translate(s));
            }
            produce(tp, 50, "after-restart");
            try (TestCopier copier = new TestCopier(source(), target(), tp)) {
                copier.copyToEnd(after, store, TIMEOUT);
            }
        }
        // then
        assertThat(after.replicatedPosition()).isGreaterThan(before.replicatedPosition());
        assertExact(after, GappedSource.readAll(source(), tp), targetRecords(tp));
    }

    @Test
    void groupCommittedOnSourceResumesOnTargetReadingExactlyTheUnprocessedRecords() throws Exception {
        // given a copied gapped partition and groups that committed inside a compaction gap, at a marker or aborted
        // record, and on a record
        TopicPartition tp = gappedTopic("groups");
        String link = "groups-link";
        OffsetMaps maps = new OffsetMaps();
        OffsetMap map = OffsetMap.startingAt(0, 0);
        maps.put(tp, map);
        try (TestCopier copier = new TestCopier(source(), target(), tp)) {
            copier.copyToEnd(map, null, TIMEOUT);
        }
        List<ConsumerRecord<byte[], byte[]>> sourceRecords = GappedSource.readAll(source(), tp);
        List<Long> commits = interestingOffsets(sourceRecords, map.replicatedPosition());
        Map<String, Long> groups = new HashMap<>();
        for (int i = 0; i < commits.size(); i++) {
            String group = tp.topic() + "-g" + i;
            groups.put(group, commits.get(i));
            commitOnSource(group, tp, commits.get(i), "meta-" + i);
        }
        // when the worker translates and syncs
        StraitConfig config = StraitConfig.parse(Map.of(
                "source.bootstrap.servers",
                source(),
                "target.bootstrap.servers",
                target(),
                "topics",
                tp.topic(),
                "groups",
                tp.topic() + "-g.*",
                "link.name",
                link,
                "groups.sync.interval.ms",
                "3600000"));
        GroupOffsetsSnapshot snapshot;
        try (GroupOffsetsWorker worker = new GroupOffsetsWorker(config, maps, new SimpleMeterRegistry())) {
            snapshot = worker.refreshNow().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        // then every group resumes on the target exactly where it left off on the source
        assertThat(snapshot.groups()).containsOnlyKeys(groups.keySet());
        for (Map.Entry<String, Long> e : groups.entrySet()) {
            GroupOffsets translated = snapshot.group(e.getKey()).orElseThrow();
            assertThat(translated.sync().synced())
                    .as(translated.sync().reason())
                    .isTrue();
            PartitionOffset p = translated.partitions().get(0);
            long expectedTarget = ((Translation.Exact) map.translate(e.getValue())).targetOffset();
            assertThat(p.targetOffset()).hasValue(expectedTarget);
            assertThat(p.sourceOffset()).isEqualTo(e.getValue());

            Map<TopicPartition, OffsetAndMetadata> mm2 =
                    RemoteClusterUtils.translateOffsets(targetProps(), link, e.getKey(), Duration.ofSeconds(30));
            assertThat(mm2).containsEntry(tp, new OffsetAndMetadata(expectedTarget, p.metadata()));

            List<String> resumed = consumeOnTargetWithoutResetPolicy(e.getKey(), tp);
            List<String> unprocessed = sourceRecords.stream()
                    .filter(r -> r.offset() >= e.getValue())
                    .map(r -> text(r.value()))
                    .toList();
            assertThat(resumed)
                    .as("group %s committed %d", e.getKey(), e.getValue())
                    .isEqualTo(unprocessed);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void assertExact(
            OffsetMap map,
            List<ConsumerRecord<byte[], byte[]>> sourceRecords,
            Map<Long, ConsumerRecord<byte[], byte[]>> target) {
        int next = 0;
        long end = map.replicatedPosition();
        long checked = 0;
        for (long s = map.oldestTranslatable(); s <= end; s++) {
            while (next < sourceRecords.size() && sourceRecords.get(next).offset() < s) {
                next++;
            }
            Translation t = map.translate(s);
            assertThat(t).as("s=%d", s).isInstanceOf(Translation.Exact.class);
            long targetOffset = ((Translation.Exact) t).targetOffset();
            if (next < sourceRecords.size()) {
                ConsumerRecord<byte[], byte[]> expected = sourceRecords.get(next);
                ConsumerRecord<byte[], byte[]> actual = target.get(targetOffset);
                assertThat(actual)
                        .as("target record at %d for s=%d", targetOffset, s)
                        .isNotNull();
                assertThat(text(actual.key())).as("key for s=%d", s).isEqualTo(text(expected.key()));
                assertThat(text(actual.value())).as("value for s=%d", s).isEqualTo(text(expected.value()));
                assertThat(actual.timestamp()).isEqualTo(expected.timestamp());
            } else {
                assertThat(targetOffset).isEqualTo(map.targetPosition());
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(2_000);
        assertThat(map.translate(end + 1)).isEqualTo(new Translation.NotYetReplicated(end));
    }

    /** A compaction gap, a marker or aborted offset near the end, a record in the middle, and the end itself. */
    private static List<Long> interestingOffsets(List<ConsumerRecord<byte[], byte[]>> records, long end) {
        Set<Long> present = new HashSet<>();
        records.forEach(r -> present.add(r.offset()));
        List<Long> missing = new ArrayList<>();
        for (long s = 0; s < end; s++) {
            if (!present.contains(s)) {
                missing.add(s);
            }
        }
        return List.of(
                missing.get(0),
                missing.get(missing.size() - 1),
                missing.get(missing.size() / 2),
                records.get(records.size() / 2).offset(),
                end);
    }

    private TopicPartition gappedTopic(String name) throws Exception {
        String topic = "gapped-" + name;
        try (Admin source = CLUSTERS.clusters().sourceAdmin();
                Admin target = CLUSTERS.clusters().targetAdmin()) {
            GappedSource.create(source, source(), topic, TIMEOUT);
            target.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get();
        }
        return new TopicPartition(topic, 0);
    }

    private void produce(TopicPartition tp, int count, String prefix) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", source()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), prefix + i, prefix + "-v" + i));
            }
        }
    }

    private void commitOnSource(String group, TopicPartition tp, long offset, String metadata) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source(), ConsumerConfig.GROUP_ID_CONFIG, group),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset, metadata)));
        }
    }

    private List<String> consumeOnTargetWithoutResetPolicy(String group, TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        target(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        group,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "none",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(tp.topic()));
            long end;
            try (Admin admin = CLUSTERS.clusters().targetAdmin()) {
                end = consumer.endOffsets(List.of(tp)).get(tp);
            }
            List<String> values = new ArrayList<>();
            eventually("the target consumer of " + group + " to reach " + end, TIMEOUT, () -> {
                consumer.poll(Duration.ofMillis(200)).records(tp).forEach(r -> values.add(text(r.value())));
                return !consumer.assignment().isEmpty() && consumer.position(tp) >= end;
            });
            return values;
        }
    }

    private static Map<Long, ConsumerRecord<byte[], byte[]>> targetRecords(TopicPartition tp) {
        Map<Long, ConsumerRecord<byte[], byte[]>> byOffset = new HashMap<>();
        GappedSource.readAll(target(), tp).forEach(r -> byOffset.put(r.offset(), r));
        return byOffset;
    }

    private static String source() {
        return CLUSTERS.sourceBootstrapServers();
    }

    private static String target() {
        return CLUSTERS.targetBootstrapServers();
    }

    private static Map<String, Object> targetProps() {
        return Map.of("bootstrap.servers", target());
    }
}

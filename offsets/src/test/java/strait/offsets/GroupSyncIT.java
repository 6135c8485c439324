package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;

/** Group translation and sync rules on real brokers: never backwards, never into an active group, reasons. */
class GroupSyncIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void neverMovesATargetGroupBackwards() throws Exception {
        // given a copied topic, a source commit at 5 and the target group already at 8
        TopicPartition tp = copiedTopic("backwards", 20);
        String group = "backwards-g";
        commit(CLUSTERS.sourceBootstrapServers(), group, tp, 5);
        commit(CLUSTERS.targetBootstrapServers(), group, tp, 8);
        // when
        GroupOffsetsSnapshot snapshot = round(tp, group);
        // then
        assertThat(snapshot.group(group).orElseThrow().sync().synced()).isTrue();
        assertThat(committedOnTarget(group, tp)).isEqualTo(8);
    }

    @Test
    void leavesAnActiveTargetGroupAloneAndSaysWhy() throws Exception {
        // given a consumer of the group running on the target
        TopicPartition tp = copiedTopic("active", 10);
        String group = "active-g";
        commit(CLUSTERS.sourceBootstrapServers(), group, tp, 4);
        try (KafkaConsumer<byte[], byte[]> running = consumer(CLUSTERS.targetBootstrapServers(), group)) {
            running.subscribe(List.of(tp.topic()));
            eventually("the target consumer to join " + group, TIMEOUT, () -> {
                running.poll(Duration.ofMillis(100));
                return !running.assignment().isEmpty();
            });
            // when
            GroupOffsetsSnapshot snapshot = round(tp, group);
            // then
            GroupOffsets.GroupSync sync = snapshot.group(group).orElseThrow().sync();
            assertThat(sync.synced()).isFalse();
            assertThat(sync.reason()).contains("active on the target");
            assertThat(snapshot.group(group).orElseThrow().partitions().get(0).targetOffset())
                    .hasValue(4);
        }
    }

    @Test
    void reportsNotYetReplicatedAndPartitionMissingOnTheTarget() throws Exception {
        // given a two-partition source topic whose target has one partition, copied only up to offset 3
        String topic = "reasons";
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        try (Admin source = CLUSTERS.clusters().sourceAdmin();
                Admin target = CLUSTERS.clusters().targetAdmin()) {
            source.createTopics(List.of(new NewTopic(topic, 2, (short) 1)))
                    .all()
                    .get();
            target.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get();
        }
        OffsetMap map = OffsetMap.startingAt(0, 0);
        map.append(0, 0);
        map.append(1, 1);
        map.append(2, 2);
        String group = "reasons-g";
        commit(CLUSTERS.sourceBootstrapServers(), group, p0, 9);
        commit(CLUSTERS.sourceBootstrapServers(), group, p1, 1);
        // when
        OffsetMaps maps = new OffsetMaps();
        maps.put(p0, map);
        GroupOffsetsSnapshot snapshot = round(maps, topic, group);
        // then
        List<PartitionOffset> partitions = snapshot.group(group).orElseThrow().partitions();
        assertThat(partitions)
                .extracting(PartitionOffset::partition, PartitionOffset::valid, PartitionOffset::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0, false, "not yet replicated"),
                        org.assertj.core.groups.Tuple.tuple(1, false, "partition missing on the target"));
        assertThat(snapshot.group(group).orElseThrow().sync().synced()).isFalse();
    }

    @Test
    void reportsBelowTargetRetentionWhenTheTargetDeletedTheResumeRecord() throws Exception {
        // given a copied topic whose first 6 target records were deleted, and a group committed at source offset 2
        TopicPartition tp = copiedTopic("retention", 10);
        try (Admin target = CLUSTERS.clusters().targetAdmin()) {
            target.deleteRecords(Map.of(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(6)))
                    .all()
                    .get();
        }
        String group = "retention-g";
        commit(CLUSTERS.sourceBootstrapServers(), group, tp, 2);
        // when
        GroupOffsetsSnapshot snapshot = round(tp, group);
        // then
        PartitionOffset p = snapshot.group(group).orElseThrow().partitions().get(0);
        assertThat(p.valid()).isFalse();
        assertThat(p.reason()).isEqualTo("below target retention");
        assertThat(p.targetOffset()).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private TopicPartition copiedTopic(String topic, int records) throws Exception {
        try (Admin source = CLUSTERS.clusters().sourceAdmin();
                Admin target = CLUSTERS.clusters().targetAdmin()) {
            source.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get();
            target.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", CLUSTERS.sourceBootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
            }
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        OffsetMap map = OffsetMap.startingAt(0, 0);
        try (TestCopier copier =
                new TestCopier(CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), tp)) {
            copier.copyToEnd(map, null, TIMEOUT);
        }
        maps.put(tp, map);
        return tp;
    }

    private final OffsetMaps maps = new OffsetMaps();

    private GroupOffsetsSnapshot round(TopicPartition tp, String group) throws Exception {
        return round(maps, tp.topic(), group);
    }

    private GroupOffsetsSnapshot round(OffsetMaps offsetMaps, String topic, String group) throws Exception {
        StraitConfig config = StraitConfig.parse(Map.of(
                "source.bootstrap.servers",
                CLUSTERS.sourceBootstrapServers(),
                "target.bootstrap.servers",
                CLUSTERS.targetBootstrapServers(),
                "topics",
                topic,
                "groups",
                group,
                "link.name",
                "sync-" + topic,
                "groups.sync.interval.ms",
                "3600000"));
        try (GroupOffsetsWorker worker = new GroupOffsetsWorker(config, offsetMaps, new SimpleMeterRegistry())) {
            return worker.refreshNow().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void commit(String bootstrap, String group, TopicPartition tp, long offset) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap, group)) {
            consumer.assign(List.of(tp));
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset, "m")));
        }
    }

    private static long committedOnTarget(String group, TopicPartition tp) throws Exception {
        try (Admin target = CLUSTERS.clusters().targetAdmin()) {
            return target.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .get(tp)
                    .offset();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        group,
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }
}

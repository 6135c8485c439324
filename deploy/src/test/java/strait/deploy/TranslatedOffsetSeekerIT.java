package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;
import strait.offsets.TranslatedOffsetSeeker;

/**
 * A group that committed on the source moves to the target with no reset policy, {@link TranslatedOffsetSeeker} as its
 * rebalance listener, and reads exactly the records it had not processed: none twice, none missing. The source has
 * aborted transactions, markers and plain records interleaved, so target offsets differ from source offsets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TranslatedOffsetSeekerIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private final String prefix = "seeker" + UUID.randomUUID().toString().substring(0, 8);
    private final String topic = prefix + ".orders";
    private final String group = prefix + ".billing";
    private final List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
    /** Source offsets the group committed, per partition, and the committed records it had not processed. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    private final Map<TopicPartition, List<String>> unprocessed = new HashMap<>();

    private Sidecar sidecar;

    @BeforeAll
    void givenAGroupThatCommittedOnTheSourceAndASidecarThatSyncedIt() throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }
        produce(0, 30);
        // The group processed part of each partition: up to a committed record on 0, on 1 up to the offset just
        // before a committed record (an aborted record, a marker or a plain record, as the run lays them out).
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> source = readSource();
        committed.put(partitions.get(0), source.get(partitions.get(0)).get(37).offset());
        committed.put(partitions.get(1), source.get(partitions.get(1)).get(52).offset() - 1);
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            committed.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o, "billing-v1")));
            admin.alterConsumerGroupOffsets(group, offsets).all().get();
        }
        // More arrives after the commit; the group has not processed it either.
        produce(30, 45);
        source = readSource();
        for (TopicPartition tp : partitions) {
            long from = committed.get(tp);
            unprocessed.put(
                    tp,
                    source.get(tp).stream()
                            .filter(r -> r.offset() >= from)
                            .map(PartitionLogs::content)
                            .toList());
            assertThat(source.get(tp).get(source.get(tp).size() - 1).offset())
                    .as("target offsets differ from source offsets on %s", tp)
                    .isGreaterThan(source.get(tp).size());
        }

        sidecar = Sidecar.start(StraitConfig.parse(Map.of(
                StraitConfig.SOURCE_BOOTSTRAP_SERVERS,
                CLUSTERS.sourceBootstrapServers(),
                StraitConfig.TARGET_BOOTSTRAP_SERVERS,
                CLUSTERS.targetBootstrapServers(),
                StraitConfig.TOPICS,
                prefix + "\\..*",
                StraitConfig.GROUPS,
                prefix + "\\..*",
                StraitConfig.GROUPS_SYNC_INTERVAL_MS,
                "500",
                StraitConfig.HTTP_PORT,
                "0")));
        awaitSyncedToTarget();
    }

    @org.junit.jupiter.api.AfterAll
    void stopSidecar() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    @Test
    void fromSyncedOffsetsReadsExactlyWhatTheGroupHadNotProcessed() {
        assertReadsExactlyTheUnprocessed(group, TranslatedOffsetSeeker::fromSyncedOffsets);
    }

    @Test
    void fromSidecarReadsExactlyWhatTheGroupHadNotProcessedEvenUnderAnotherGroupId() {
        // Another group id on the target has no commits there: without the seek, reset policy none would throw.
        assertReadsExactlyTheUnprocessed(
                prefix + "-moved-billing",
                consumer -> TranslatedOffsetSeeker.fromSidecar(consumer, sidecarUri(), group));
    }

    @Test
    void fromSidecarTranslateReadsExactlyWhatTheGroupHadNotProcessed() {
        assertReadsExactlyTheUnprocessed(
                prefix + "-translated-billing",
                consumer -> TranslatedOffsetSeeker.fromSidecarTranslate(consumer, sidecarUri(), committed));
    }

    @Test
    void aPartitionWithoutTranslationIsLeftToTheConsumersOwnResetPolicy() {
        // given a source offset past the replicated position on partition 1: the sidecar answers 409 for it
        TopicPartition p0 = partitions.get(0);
        TopicPartition p1 = partitions.get(1);
        Map<TopicPartition, Long> sourceOffsets = Map.of(p0, committed.get(p0), p1, 1_000_000L);
        // when a fresh group with reset policy latest moves with those offsets
        Map<TopicPartition, List<String>> read = read(
                prefix + "-half-billing",
                "latest",
                consumer -> TranslatedOffsetSeeker.fromSidecarTranslate(consumer, sidecarUri(), sourceOffsets));
        // then partition 0 resumes exactly, partition 1 starts at its end as "latest" says
        assertThat(read.get(p0)).containsExactlyElementsOf(unprocessed.get(p0));
        assertThat(read.get(p1)).isEmpty();
    }

    private void assertReadsExactlyTheUnprocessed(
            String targetGroup, Function<KafkaConsumer<byte[], byte[]>, TranslatedOffsetSeeker> seeker) {
        Map<TopicPartition, List<String>> read = read(targetGroup, "none", seeker);
        for (TopicPartition tp : partitions) {
            assertThat(read.get(tp))
                    .as("%s read on the target from source commit %d", tp, committed.get(tp))
                    .isNotEmpty()
                    .containsExactlyElementsOf(unprocessed.get(tp));
        }
    }

    /** What a target consumer of {@code targetGroup} reads, with {@code seeker} as its listener, up to the ends. */
    private Map<TopicPartition, List<String>> read(
            String targetGroup,
            String resetPolicy,
            Function<KafkaConsumer<byte[], byte[]>, TranslatedOffsetSeeker> seeker) {
        Map<TopicPartition, Long> targetEnds = new HashMap<>();
        partitions.forEach(tp ->
                targetEnds.put(tp, PartitionLogs.endOffset(CLUSTERS.targetBootstrapServers(), tp, "read_uncommitted")));
        Map<TopicPartition, List<String>> read = new HashMap<>();
        partitions.forEach(tp -> read.put(tp, new ArrayList<>()));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        CLUSTERS.targetBootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        targetGroup,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        resetPolicy,
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic), seeker.apply(consumer));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            do {
                assertThat(System.nanoTime())
                        .as("read to the target ends %s; read %s", targetEnds, read)
                        .isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200))
                        .forEach(r -> read.get(new TopicPartition(r.topic(), r.partition()))
                                .add(PartitionLogs.content(r)));
            } while (!caughtUp(consumer, targetEnds));
        }
        return read;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        return consumer.assignment().size() == ends.size()
                && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /** Until the sidecar replicated everything and committed the translated offsets to the group on the target. */
    private void awaitSyncedToTarget() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<TopicPartition, Long> sourceEnds = new HashMap<>();
        partitions.forEach(tp ->
                sourceEnds.put(tp, PartitionLogs.endOffset(CLUSTERS.sourceBootstrapServers(), tp, "read_committed")));
        String last = "";
        try (Admin target = CLUSTERS.clusters().targetAdmin()) {
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> synced = target.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get();
                HttpResponse<String> status = StraitProcess.get(sidecarUri() + "/status");
                last = synced + " " + status.body();
                JsonArray rows = new JsonObject(status.body()).getJsonArray("partitions");
                long caughtUp = rows.stream()
                        .map(JsonObject.class::cast)
                        .filter(p -> p.getString("topic").equals(topic))
                        .filter(p -> p.getLong("replicated")
                                .equals(sourceEnds.get(new TopicPartition(topic, p.getInteger("partition")))))
                        .count();
                boolean replicated = caughtUp == partitions.size();
                if (replicated && synced.keySet().containsAll(partitions)) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("not replicated and synced in time: " + last);
    }

    private URI sidecarUri() {
        return URI.create("http://" + sidecar.httpAddress());
    }

    /** Transactions {@code from..to-1} on both partitions, every third aborted, a plain record inside each. */
    private void produce(int from, int to) {
        try (KafkaProducer<String, String> tx = new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                CLUSTERS.sourceBootstrapServers(),
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                prefix + "-tx"),
                        new StringSerializer(),
                        new StringSerializer());
                KafkaProducer<String, String> plain = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, CLUSTERS.sourceBootstrapServers()),
                        new StringSerializer(),
                        new StringSerializer())) {
            tx.initTransactions();
            for (int t = from; t < to; t++) {
                tx.beginTransaction();
                for (int p = 0; p < 2; p++) {
                    for (int i = 0; i < 3; i++) {
                        tx.send(record(p, "tx" + t + "-" + i));
                    }
                }
                tx.flush();
                plain.send(record(t % 2, "plain" + t));
                plain.flush();
                if (t % 3 == 1) {
                    tx.abortTransaction();
                } else {
                    tx.commitTransaction();
                }
            }
        }
    }

    private ProducerRecord<String, String> record(int partition, String key) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, partition, key, "v-" + key);
        record.headers().add("origin", key.getBytes(StandardCharsets.UTF_8));
        return record;
    }

    private Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> readSource() {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();
        partitions.forEach(
                tp -> records.put(tp, PartitionLogs.readAll(CLUSTERS.sourceBootstrapServers(), tp, "read_committed")));
        return records;
    }
}

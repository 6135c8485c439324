package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.replicator.Fixtures.createTopic;
import static strait.replicator.Fixtures.readAll;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.embedded.SharedClusters;
import strait.offsets.WriterId;

/**
 * The property the takeover rests on, on a real broker: two writers of one link (the same producer id), each
 * numbering a record with the target offset it belongs at, can never both land a record (docs/decisions/0004).
 */
class TargetWriterIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final long NOW = System.currentTimeMillis();

    @Test
    void twoInstancesOfALinkLandEachRecordOnceWhoeverSendsIt() throws Exception {
        String topic = "writer-race";
        try (Admin admin = CLUSTERS.clusters().targetAdmin()) {
            createTopic(admin, topic, 1, Map.of());
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        Map<String, Object> props = Map.of("bootstrap.servers", CLUSTERS.targetBootstrapServers());
        WriterId link = TargetWriter.allocate(props, "writer-it-init");
        List<ConsumerRecord<byte[], byte[]>> records = records(30);
        try (TargetWriter old = new TargetWriter(props, "writer-it-old", link);
                TargetWriter fresh = new TargetWriter(props, "writer-it-new", link)) {
            // The old instance writes offsets 0..9.
            assertThat(write(old, tp, records, 0, 10)).isEqualTo(new BatchTarget.Result.Acked(0));

            // The new one, having reconciled 0..9, writes 10..19; the old one's late batch for 10..19 (the same
            // records: both number them by target offset) is answered with the first copy's offset, not appended.
            assertThat(write(fresh, tp, records, 10, 10)).isEqualTo(new BatchTarget.Result.Acked(10));
            assertThat(write(old, tp, records, 10, 10)).isEqualTo(new BatchTarget.Result.Acked(10));

            // A late batch cut differently (10..14) or from further on (20..24, after a batch that never landed
            // for the new writer) is refused by the leader.
            assertThat(write(old, tp, records, 10, 5))
                    .isInstanceOfSatisfying(
                            BatchTarget.Result.Failed.class,
                            f -> assertThat(f.error()).isInstanceOf(OutOfOrderSequenceException.class));
            assertThat(write(old, tp, records, 21, 4))
                    .isInstanceOfSatisfying(
                            BatchTarget.Result.Failed.class,
                            f -> assertThat(f.error()).isInstanceOf(OutOfOrderSequenceException.class));

            // The next records land for whichever instance sends them first, then never again.
            assertThat(write(old, tp, records, 20, 10)).isEqualTo(new BatchTarget.Result.Acked(20));
            assertThat(write(fresh, tp, records, 20, 5)).isInstanceOf(BatchTarget.Result.Failed.class);
        }
        List<ConsumerRecord<byte[], byte[]>> target = readAll(
                        CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted")
                .get(0);
        assertThat(target).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(TailReconciler.difference(records.get(i), target.get(i)))
                    .as("offset %d", i)
                    .isNull();
        }
    }

    @Test
    void preparingForATopicIsBoundedAndLeavesTheWriterReadyToWriteIt() throws Exception {
        String topic = "writer-prepare";
        try (Admin admin = CLUSTERS.clusters().targetAdmin()) {
            createTopic(admin, topic, 2, Map.of());
        }
        TopicPartition tp = new TopicPartition(topic, 1);
        Map<String, Object> props = Map.of("bootstrap.servers", CLUSTERS.targetBootstrapServers());
        WriterId link = TargetWriter.allocate(props, "writer-prepare-init");
        try (TargetWriter writer = new TargetWriter(props, "writer-prepare", link)) {
            long start = System.nanoTime();
            writer.prepare(List.of(topic));
            // Bounded by about a second (a slow machine may add to it), never the request timeout.
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
            // The leaders are known and connected: the write goes out without looking them up.
            assertThat(write(writer, tp, records(3), 0, 3)).isEqualTo(new BatchTarget.Result.Acked(0));
        }
    }

    /** Writes {@code count} records from {@code from}, numbered as landing at target offset {@code from} onwards. */
    private static BatchTarget.Result write(
            TargetWriter writer, TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records, int from, int count) {
        BatchTarget.Batch batch = writer.encoder()
                .build(tp, BatchEncoder.sequenceAt(from), records.subList(0, from + count), from, 1 << 20, NOW, null);
        assertThat(batch.records()).isEqualTo(count);
        return writer.write(List.of(batch)).get(tp);
    }

    private static List<ConsumerRecord<byte[], byte[]>> records(int n) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("h", ("v" + i).getBytes(StandardCharsets.UTF_8));
            out.add(new ConsumerRecord<>(
                    "source",
                    0,
                    100 + i,
                    NOW - 1_000 + i,
                    TimestampType.CREATE_TIME,
                    -1,
                    -1,
                    ("k" + i).getBytes(StandardCharsets.UTF_8),
                    ("v" + i).getBytes(StandardCharsets.UTF_8),
                    headers,
                    java.util.Optional.empty()));
        }
        return out;
    }
}

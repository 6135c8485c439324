package strait.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import strait.proxy.ProducerIdMapping;

class ProducerIdsTest {

    private static final short VERSION = 11;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMetrics metrics = new ProxyMetrics(registry);

    private static ProduceRequestData request(long... producerIds) {
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("t");
        for (int i = 0; i < producerIds.length; i++) {
            topic.partitionData()
                    .add(new ProduceRequestData.PartitionProduceData()
                            .setIndex(i)
                            .setRecords(MemoryRecords.withIdempotentRecords(
                                    Compression.NONE,
                                    producerIds[i],
                                    (short) 2,
                                    5,
                                    new SimpleRecord(("v" + i).getBytes()))));
        }
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(topic);
        return new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000).setTopicData(topics);
    }

    /** The request as a frame, cut by the frame splitter as a connection gets it. */
    private static Buffer frame(ProduceRequestData request) {
        Buffer written = KafkaFrames.writeRequest(
                new RequestHeaderData()
                        .setRequestApiKey(ApiKeys.PRODUCE.id)
                        .setRequestApiVersion(VERSION)
                        .setCorrelationId(42)
                        .setClientId("test"),
                request);
        List<Buffer> frames = new ArrayList<>();
        new FrameSplitter(KafkaFrames.MAX_FRAME_BYTES, frames::add, what -> {}).handle(written);
        return frames.get(0);
    }

    private static ProduceRequestData decode(Buffer frame) {
        return new ProduceRequestData(
                KafkaFrames.readRequest(frame, ApiKeys.PRODUCE, VERSION).body(), VERSION);
    }

    private static List<MutableRecordBatch> batches(ProduceRequestData request) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                ((MemoryRecords) partition.records()).batches().forEach(batches::add);
            }
        }
        return batches;
    }

    @Test
    void recordsSourceIdsFromProduceRequestsAndInitAnswersAndListsTheUnmapped() {
        ProducerIds ids = new ProducerIds(10, metrics);

        ids.sourceProduce(request(3, 4, -1));
        assertThat(ids.sourceIssued(9)).isTrue();
        ids.install(ProducerIdMapping.of(Map.of(3L, 103L)));

        assertThat(ids.unmapped()).containsExactlyInAnyOrder(4L, 9L);
        assertThat(registry.get("strait.proxy.producer.ids.recorded").gauge().value())
                .isEqualTo(3.0);
        assertThat(registry.get("strait.proxy.producer.ids.mapped").gauge().value())
                .isEqualTo(1.0);
    }

    @Test
    void theOldestIdIsForgottenWhenTheRecordIsFull() {
        ProducerIds ids = new ProducerIds(2, metrics);

        ids.sourceProduce(request(1));
        ids.sourceProduce(request(2));
        ids.sourceProduce(request(1)); // seen again: now the newest
        ids.sourceProduce(request(3));

        assertThat(ids.unmapped()).containsExactlyInAnyOrder(1L, 3L);
        assertThat(registry.get("strait.proxy.producer.ids.evicted").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void whileFrozenSourceIssuedIdsAreWithheldAndNotRecorded() {
        ProducerIds ids = new ProducerIds(10, metrics);

        ids.freeze();
        assertThat(ids.sourceIssued(5)).isFalse();
        ids.thaw();
        assertThat(ids.sourceIssued(6)).isTrue();

        assertThat(ids.unmapped()).containsExactly(6L);
        assertThat(registry.get("strait.proxy.producer.ids.withheld").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void rewritesMappedIdsInTheForwardedFrameItselfAndLeavesOthers() {
        ProducerIds ids = new ProducerIds(10, metrics);
        ids.install(ProducerIdMapping.of(Map.of(3L, 103L)));
        Buffer frame = frame(request(3, 50, -1));
        assertThat(KafkaFrames.sharesBytes(frame)).isTrue();

        int patched = ids.targetProduce(decode(frame));

        assertThat(patched).isEqualTo(1);
        List<MutableRecordBatch> sent = batches(decode(frame));
        assertThat(sent).extracting(MutableRecordBatch::producerId).containsExactly(103L, 50L, -1L);
        assertThat(sent).extracting(MutableRecordBatch::producerEpoch).containsOnly((short) 2);
        assertThat(sent).extracting(MutableRecordBatch::baseSequence).containsExactly(5, 5, 5);
        assertThat(sent).allSatisfy(MutableRecordBatch::ensureValid);
        assertThat(registry.get("strait.proxy.producer.ids.rewritten.batches")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void aTargetIssuedIdEqualToAMappedSourceIdIsACollision() {
        ProducerIds ids = new ProducerIds(10, metrics);
        ids.install(ProducerIdMapping.of(Map.of(3L, 103L)));

        assertThat(ids.targetIssued(3)).isFalse();
        assertThat(ids.targetIssued(103)).isTrue();
        assertThat(ids.targetIssued(4)).isTrue();

        assertThat(registry.get("strait.proxy.producer.ids.collisions")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }
}

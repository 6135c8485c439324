package strait.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class ProduceTopicIdsTest {

    private static final short V13 = 13;

    @Test
    void patchesEveryMappedTopicIdInPlaceAndLeavesTheRecords() {
        Uuid a = Uuid.randomUuid();
        Uuid b = Uuid.randomUuid();
        Uuid c = Uuid.randomUuid();
        Uuid aOnTarget = Uuid.randomUuid();
        Uuid cOnTarget = Uuid.randomUuid();
        ProduceRequestData request = new ProduceRequestData()
                .setTransactionalId(null)
                .setAcks((short) -1)
                .setTimeoutMs(30_000);
        for (Uuid id : List.of(a, b, c)) {
            ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setTopicId(id);
            for (int p = 0; p < 2; p++) {
                topic.partitionData()
                        .add(new ProduceRequestData.PartitionProduceData()
                                .setIndex(p)
                                .setRecords(MemoryRecords.withRecords(
                                        Compression.NONE, new SimpleRecord(("v" + id + p).getBytes()))));
            }
            request.topicData().add(topic);
        }
        Buffer frame = KafkaFrames.writeRequest(
                new RequestHeaderData()
                        .setRequestApiKey(ApiKeys.PRODUCE.id)
                        .setRequestApiVersion(V13)
                        .setCorrelationId(7)
                        .setClientId("client"),
                request);
        int length = frame.length();

        ByteBuffer body =
                KafkaFrames.readRequest(frame, ApiKeys.PRODUCE, V13).body().buffer();
        Map<Uuid, Uuid> back =
                ProduceTopicIds.patch(body, id -> id.equals(a) ? aOnTarget : id.equals(c) ? cOnTarget : null);

        assertThat(back).containsExactlyInAnyOrderEntriesOf(Map.of(aOnTarget, a, cOnTarget, c));
        assertThat(frame.length()).isEqualTo(length);
        ProduceRequestData patched = new ProduceRequestData(
                KafkaFrames.readRequest(frame, ApiKeys.PRODUCE, V13).body(), V13);
        assertThat(patched.topicData().stream().map(ProduceRequestData.TopicProduceData::topicId))
                .containsExactly(aOnTarget, b, cOnTarget);
        for (ProduceRequestData.TopicProduceData topic : patched.topicData()) {
            Uuid original = back.getOrDefault(topic.topicId(), topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                var record = ((MemoryRecords) partition.records())
                        .records()
                        .iterator()
                        .next();
                byte[] value = new byte[record.valueSize()];
                record.value().get(value);
                assertThat(new String(value)).isEqualTo("v" + original + partition.index());
            }
        }
    }
}

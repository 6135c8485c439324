package strait.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class BatchHeadersTest {

    private static SimpleRecord record(String key, String value) {
        return new SimpleRecord(
                1_700_000_000_000L,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8),
                new RecordHeader[] {new RecordHeader("h", "x".getBytes(StandardCharsets.UTF_8))});
    }

    /** An lz4 batch of producer 7 (epoch 3, sequence 17), an uncompressed one of 9, one without a producer id. */
    private static ByteBuffer threeBatches() {
        List<ByteBuffer> parts = List.of(
                MemoryRecords.withIdempotentRecords(
                                Compression.lz4().build(), 7L, (short) 3, 17, record("a", "1"), record("b", "2"))
                        .buffer(),
                MemoryRecords.withIdempotentRecords(Compression.NONE, 9L, (short) 0, 0, record("c", "3"))
                        .buffer(),
                MemoryRecords.withRecords(Compression.NONE, record("d", "4")).buffer());
        ByteBuffer all = ByteBuffer.allocate(
                parts.stream().mapToInt(ByteBuffer::remaining).sum());
        parts.forEach(all::put);
        return all.flip();
    }

    private static List<MutableRecordBatch> batches(ByteBuffer records) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(records.duplicate()).batches().forEach(batches::add);
        return batches;
    }

    private static List<String> values(MutableRecordBatch batch) {
        List<String> values = new ArrayList<>();
        for (Record r : batch) {
            values.add(StandardCharsets.UTF_8.decode(r.value()).toString() + "@" + r.offset() + "/" + r.timestamp()
                    + "/" + r.headers().length);
        }
        return values;
    }

    @Test
    void readsEveryBatchsProducerIdInOrder() {
        List<Long> ids = new ArrayList<>();

        BatchHeaders.forEachProducerId(threeBatches(), ids::add);

        assertThat(ids).containsExactly(7L, 9L, -1L);
    }

    @Test
    void rewritesOnlyMappedProducerIdsAndTheRecomputedCrcIsValid() {
        ByteBuffer records = threeBatches();
        List<MutableRecordBatch> before = batches(records);
        List<String> firstValues = values(before.get(0));
        ByteBuffer secondBefore = copy(records, 1);
        ByteBuffer thirdBefore = copy(records, 2);

        int patched = BatchHeaders.rewriteProducerIds(records, id -> id == 7L ? 1_007L : -1L);

        assertThat(patched).isEqualTo(1);
        List<MutableRecordBatch> after = batches(records);
        MutableRecordBatch first = after.get(0);
        assertThat(first.producerId()).isEqualTo(1_007L);
        assertThat(first.producerEpoch()).isEqualTo((short) 3);
        assertThat(first.baseSequence()).isEqualTo(17);
        assertThat(first.isValid()).isTrue();
        first.ensureValid();
        assertThat(values(first)).isEqualTo(firstValues);
        assertThat(copy(records, 1)).as("unmapped batch untouched").isEqualTo(secondBefore);
        assertThat(copy(records, 2)).as("batch without producer id untouched").isEqualTo(thirdBefore);
    }

    @Test
    void aPatchWithoutTheCrcWouldBeInvalid() {
        ByteBuffer records = threeBatches();

        records.putLong(BatchHeaders.PRODUCER_ID_OFFSET, 1_007L);

        assertThat(batches(records).get(0).isValid()).isFalse();
    }

    @Test
    void aCorruptBatchIsLeftAsItCameSoTheBrokerStillRefusesIt() {
        ByteBuffer records = threeBatches();
        int lastByte = batches(records).get(0).sizeInBytes() - 1;
        records.put(lastByte, (byte) (records.get(lastByte) ^ 0x55));

        int patched = BatchHeaders.rewriteProducerIds(records, id -> id + 1_000);

        assertThat(patched).as("only the second batch").isEqualTo(1);
        assertThat(batches(records).get(0).producerId()).isEqualTo(7L);
        assertThat(batches(records).get(0).isValid()).isFalse();
        assertThat(batches(records).get(1).producerId()).isEqualTo(1_009L);
    }

    @Test
    void aTruncatedTrailingBatchEndsTheWalk() {
        ByteBuffer records = threeBatches();
        records.limit(batches(records).get(0).sizeInBytes() + 30);
        List<Long> ids = new ArrayList<>();

        BatchHeaders.forEachProducerId(records, ids::add);

        assertThat(ids).containsExactly(7L);
    }

    private static ByteBuffer copy(ByteBuffer records, int index) {
        int start = 0;
        List<MutableRecordBatch> all = batches(records);
        for (int i = 0; i < index; i++) {
            start += all.get(i).sizeInBytes();
        }
        ByteBuffer slice = records.duplicate();
        slice.position(start).limit(start + all.get(index).sizeInBytes());
        ByteBuffer out = ByteBuffer.allocate(slice.remaining());
        out.put(slice);
        return out.flip();
    }
}

package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** How fetched bytes become source batches, on batches built with Kafka's own record classes. */
class SourceBatchesTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private final BatchHeader header = new BatchHeader();
    private final List<String> counted = new ArrayList<>();

    @Test
    void forwardsCompressedBatchWithoutDecodingIt() {
        ByteBuffer fetched = concat(batch(0, Compression.lz4().build(), 5));
        SourceBatches.Split split = split(fetched, 0, List.of());
        assertThat(split.batches()).singleElement().isInstanceOf(SourceBatch.Forward.class);
        SourceBatch.Forward forward = (SourceBatch.Forward) split.batches().get(0);
        assertThat(forward.firstOffset()).isZero();
        assertThat(forward.count()).isEqualTo(5);
        assertThat(split.nextOffset()).isEqualTo(5);
        assertThat(counted).isEmpty();
    }

    @Test
    void rewrittenHeaderIsAValidBatchOfTheLinksProducerWithTheSamePayload() {
        ByteBuffer fetched = concat(transactional(0, 7L, 3));
        SourceBatch.Forward forward =
                (SourceBatch.Forward) split(fetched, 0, List.of()).batches().get(0);
        header.rewrite(forward.buffer(), forward.at(), 4242L, (short) 3, 1000);
        RecordBatch written = MemoryRecords.readableRecords(fetched.duplicate())
                .batches()
                .iterator()
                .next();
        written.ensureValid(); // the CRC the target checks
        assertThat(written.baseOffset()).isZero();
        assertThat(written.producerId()).isEqualTo(4242L);
        assertThat(written.producerEpoch()).isEqualTo((short) 3);
        assertThat(written.baseSequence()).isEqualTo(1000);
        assertThat(written.isTransactional()).isFalse();
        // Decoded again (as the sender does when the target refuses the batch), the offsets are the source's.
        assertThat(SourceBatches.decode(TP, forward).records())
                .extracting(ConsumerRecord::offset)
                .containsExactly(0L, 1L, 2L);
    }

    @Test
    void dropsControlBatchesAndAbortedTransactions() {
        ByteBuffer fetched = concat(
                transactional(0, 7L, 2), // aborted below
                marker(2, 7L, ControlRecordType.ABORT),
                transactional(3, 8L, 2), // committed
                marker(5, 8L, ControlRecordType.COMMIT));
        List<FetchResponseData.AbortedTransaction> aborted = List.of(
                new FetchResponseData.AbortedTransaction().setProducerId(7L).setFirstOffset(0L));
        SourceBatches.Split split = split(fetched, 0, aborted);
        assertThat(split.batches())
                .singleElement()
                .satisfies(b -> assertThat(b.firstOffset()).isEqualTo(3));
        assertThat(split.records()).isEqualTo(2);
        assertThat(split.nextOffset()).as("past the last marker").isEqualTo(6);
        assertThat(counted).containsExactly("none/aborted");
    }

    @Test
    void decodesABatchWithCompactionGapsKeepingItsOffsets() {
        ByteBuffer built = batch(10, Compression.NONE, 4);
        // What the cleaner leaves: records 10 and 13 only, in a batch whose last offset delta stays 3.
        MemoryRecords cleaned = MemoryRecords.readableRecords(built.duplicate());
        ByteBuffer gapped = ByteBuffer.allocate(1024);
        MemoryRecordsBuilder b = MemoryRecords.builder(gapped, Compression.NONE, TimestampType.CREATE_TIME, 10);
        cleaned.records().forEach(r -> {
            if (r.offset() == 10 || r.offset() == 13) {
                b.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
            }
        });
        SourceBatches.Split split = split(concat(b.build().buffer()), 10, List.of());
        assertThat(split.batches()).singleElement().isInstanceOf(SourceBatch.Encode.class);
        assertThat(((SourceBatch.Encode) split.batches().get(0)).records())
                .extracting(ConsumerRecord::offset)
                .containsExactly(10L, 13L);
        assertThat(split.nextOffset()).isEqualTo(14);
        assertThat(counted).containsExactly("record/gapped");
    }

    @Test
    void decodesALogAppendTimeBatchWithTheTimestampSourceReadersSee() {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        MemoryRecordsBuilder b = MemoryRecords.builder(
                buffer,
                RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.lz4().build(),
                TimestampType.LOG_APPEND_TIME,
                0,
                99_000L);
        b.append(new SimpleRecord(1L, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)));
        SourceBatches.Split split = split(concat(b.build().buffer()), 0, List.of());
        SourceBatch.Encode encode = (SourceBatch.Encode) split.batches().get(0);
        assertThat(encode.records().get(0).timestamp()).isEqualTo(99_000L);
        assertThat(encode.compression().type().name).isEqualTo("lz4");
        assertThat(counted).containsExactly("record/log_append_time");
    }

    @Test
    void decodesTheRestOfABatchTheFetchPositionIsInside() {
        SourceBatches.Split split = split(concat(batch(0, Compression.NONE, 5)), 3, List.of());
        assertThat(((SourceBatch.Encode) split.batches().get(0)).records())
                .extracting(ConsumerRecord::offset)
                .containsExactly(3L, 4L);
        assertThat(counted).containsExactly("record/partial");
    }

    @Test
    void leavesABatchCutOffAtTheEndOfTheResponseForTheNextFetch() {
        ByteBuffer whole = concat(batch(0, Compression.NONE, 2), batch(2, Compression.NONE, 2));
        ByteBuffer cut = whole.duplicate();
        cut.limit(whole.limit() - 10);
        SourceBatches.Split split = split(cut.slice(), 0, List.of());
        assertThat(split.batches()).hasSize(1);
        assertThat(split.nextOffset()).isEqualTo(2);
    }

    @Test
    void refusesABatchWhoseCrcDoesNotMatch() {
        ByteBuffer fetched = concat(batch(0, Compression.NONE, 3));
        int last = fetched.limit() - 1;
        fetched.put(last, (byte) (fetched.get(last) ^ 1));
        assertThatThrownBy(() -> split(fetched, 0, List.of()))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("orders-0")
                .hasMessageContaining("CRC");
    }

    private SourceBatches.Split split(
            ByteBuffer fetched, long position, List<FetchResponseData.AbortedTransaction> aborted) {
        return SourceBatches.split(
                TP, fetched, position, aborted, header, (path, reason) -> counted.add(path + "/" + reason));
    }

    private static ByteBuffer batch(long baseOffset, Compression compression, int records) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        MemoryRecordsBuilder b = MemoryRecords.builder(buffer, compression, TimestampType.CREATE_TIME, baseOffset);
        for (int i = 0; i < records; i++) {
            b.append(
                    1_000L + i, ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return b.build().buffer();
    }

    private static ByteBuffer transactional(long baseOffset, long producerId, int records) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        MemoryRecordsBuilder b = MemoryRecords.builder(
                buffer,
                RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE,
                TimestampType.CREATE_TIME,
                baseOffset,
                1_000L,
                producerId,
                (short) 0,
                0,
                true,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (int i = 0; i < records; i++) {
            b.append(1_000L + i, null, ("tx" + i).getBytes(StandardCharsets.UTF_8));
        }
        return b.build().buffer();
    }

    private static ByteBuffer marker(long offset, long producerId, ControlRecordType type) {
        return MemoryRecords.withEndTransactionMarker(
                        offset, 2_000L, 0, producerId, (short) 0, new EndTransactionMarker(type, 0))
                .buffer();
    }

    private static ByteBuffer concat(ByteBuffer... batches) {
        int size = 0;
        for (ByteBuffer b : batches) {
            size += b.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (ByteBuffer b : batches) {
            out.put(b.duplicate());
        }
        return out.flip();
    }
}

package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** Which queued forwarded batches the sender writes together. */
class SmallBatchesTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final int NO_LIMIT = Integer.MAX_VALUE;

    @Test
    void aRunOfSmallBatchesEndsAtTheFirstBatchThatIsNotSmall() {
        List<SourceBatch> batches = List.of(
                forwarded(0, 2, Compression.NONE),
                forwarded(2, 1, Compression.NONE),
                forwarded(3, 3, Compression.NONE),
                forwarded(6, SmallBatches.SMALL_RECORDS, Compression.NONE),
                forwarded(6 + SmallBatches.SMALL_RECORDS, 1, Compression.NONE));

        assertThat(SmallBatches.run(batches, 0, NO_LIMIT)).isEqualTo(3);
        assertThat(SmallBatches.run(batches, 1, NO_LIMIT)).isEqualTo(2);
        assertThat(SmallBatches.run(batches, 3, NO_LIMIT))
                .as("a batch of 32 records is not small")
                .isZero();
        assertThat(SmallBatches.run(batches, 4, NO_LIMIT))
                .as("nothing behind it")
                .isZero();
    }

    @Test
    void aSmallBatchWithNothingSmallBehindItIsForwardedAsItIs() {
        List<SourceBatch> alone = List.of(forwarded(0, 2, Compression.NONE));
        List<SourceBatch> beforeLarge = List.of(
                forwarded(0, 2, Compression.NONE), forwarded(2, SmallBatches.SMALL_RECORDS + 5, Compression.NONE));

        assertThat(SmallBatches.run(alone, 0, NO_LIMIT)).isZero();
        assertThat(SmallBatches.run(beforeLarge, 0, NO_LIMIT)).isZero();
    }

    @Test
    void aRunKeepsToOneCodecAndToTheBatchLimit() {
        SourceBatch.Forward a = forwarded(0, 2, Compression.lz4().build());
        SourceBatch.Forward b = forwarded(2, 2, Compression.lz4().build());
        SourceBatch.Forward c = forwarded(4, 2, Compression.lz4().build());
        SourceBatch.Forward plain = forwarded(6, 2, Compression.NONE);
        List<SourceBatch> batches = List.of(a, b, c, plain);

        assertThat(SmallBatches.run(batches, 0, NO_LIMIT))
                .as("up to the codec change")
                .isEqualTo(3);
        assertThat(SmallBatches.run(batches, 0, a.sizeInBytes() + b.sizeInBytes()))
                .as("up to the bytes one target batch may take")
                .isEqualTo(2);
    }

    @Test
    void recordsToEncodeAreNeverPartOfARun() {
        SourceBatch.Encode decoded = SourceBatches.decode(TP, forwarded(2, 2, Compression.NONE));
        List<SourceBatch> batches =
                List.of(forwarded(0, 2, Compression.NONE), decoded, forwarded(4, 2, Compression.NONE));

        assertThat(SmallBatches.run(batches, 0, NO_LIMIT)).isZero();
        assertThat(SmallBatches.run(batches, 1, NO_LIMIT)).isZero();
    }

    @Test
    void theRunsRecordsDecodeInSourceOrderWithTheirCodec() {
        List<SourceBatch.Forward> run = List.of(
                forwarded(10, 2, Compression.lz4().build()),
                forwarded(12, 1, Compression.lz4().build()),
                forwarded(13, 3, Compression.lz4().build()));

        SourceBatch.Encode merged = SourceBatches.decode(TP, run);

        assertThat(merged.records()).extracting(r -> r.offset()).containsExactly(10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(merged.records())
                .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v10", "v11", "v12", "v13", "v14", "v15");
        assertThat(merged.compression().type())
                .isEqualTo(Compression.lz4().build().type());
    }

    private static SourceBatch.Forward forwarded(long firstOffset, int n, Compression codec) {
        List<SimpleRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new SimpleRecord(
                    1_000L + i,
                    ("k" + (firstOffset + i)).getBytes(StandardCharsets.UTF_8),
                    ("v" + (firstOffset + i)).getBytes(StandardCharsets.UTF_8)));
        }
        MemoryRecords memory = MemoryRecords.withRecords(firstOffset, codec, records.toArray(new SimpleRecord[0]));
        return new SourceBatch.Forward(memory.buffer(), 0, firstOffset, n, memory.sizeInBytes());
    }
}

package strait.replicator;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import strait.offsets.WriterId;

/**
 * Makes the batches a partition's writer sends: records encoded into a new v2 batch, or a source batch forwarded with
 * only its header rewritten; either way under the link's {@link WriterId} with the sequence the caller chose (the
 * target offset the first record must land at, {@link #sequenceAt}). Pure: no network, so the sender's rules are
 * testable without a broker.
 *
 * <p>Threads: confined to its sender thread (the {@link BatchHeader} it rewrites with is not thread-safe).
 */
final class BatchEncoder {

    private final WriterId writer;
    private final Compression compression;
    private final int maxRequestBytes;
    private final BatchHeader header = new BatchHeader();

    BatchEncoder(WriterId writer, Compression compression, int maxRequestBytes) {
        this.writer = writer;
        this.compression = compression;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** The encoder for a producer with these settings: its {@code compression.*} and {@code max.request.size}. */
    static BatchEncoder of(ProducerConfig config, WriterId writer) {
        return new BatchEncoder(writer, compression(config), config.getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    }

    /** The producer's codec and level, as {@code compression.type} and its level settings say. */
    private static Compression compression(ProducerConfig config) {
        CompressionType type = CompressionType.forName(config.getString(ProducerConfig.COMPRESSION_TYPE_CONFIG));
        switch (type) {
            case GZIP:
                return Compression.gzip()
                        .level(config.getInt(ProducerConfig.COMPRESSION_GZIP_LEVEL_CONFIG))
                        .build();
            case LZ4:
                return Compression.lz4()
                        .level(config.getInt(ProducerConfig.COMPRESSION_LZ4_LEVEL_CONFIG))
                        .build();
            case ZSTD:
                return Compression.zstd()
                        .level(config.getInt(ProducerConfig.COMPRESSION_ZSTD_LEVEL_CONFIG))
                        .build();
            default:
                return Compression.of(type).build();
        }
    }

    /** The sequence number of the record that must land at {@code targetOffset}: the offset modulo 2^31. */
    static int sequenceAt(long targetOffset) {
        return (int) (targetOffset & Integer.MAX_VALUE);
    }

    /**
     * Encodes {@code records} from {@code from} into one batch whose first record has sequence {@code sequence},
     * taking as many as fit in {@code maxBytes} (at least one, which may then be larger: the caller checks).
     *
     * @param codec the codec to encode with, or null for the configured one
     */
    BatchTarget.Batch build(
            TopicPartition tp,
            int sequence,
            List<ConsumerRecord<byte[], byte[]>> records,
            int from,
            int maxBytes,
            long nowMs,
            Compression codec) {
        int limit = Math.min(maxBytes, maxRequestBytes);
        MemoryRecordsBuilder builder = new MemoryRecordsBuilder(
                new ByteBufferOutputStream(Math.min(limit, 64 * 1024)),
                RecordBatch.CURRENT_MAGIC_VALUE,
                codec == null ? compression : codec,
                TimestampType.CREATE_TIME,
                0L,
                RecordBatch.NO_TIMESTAMP,
                writer.producerId(),
                writer.epoch(),
                sequence,
                false,
                false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH,
                limit);
        int n = 0;
        for (int i = from; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = records.get(i);
            long timestamp = r.timestamp() >= 0 ? r.timestamp() : nowMs;
            Header[] headers = r.headers().toArray();
            if (n > 0 && !builder.hasRoomFor(timestamp, r.key(), r.value(), headers)) {
                break;
            }
            builder.appendWithOffset(n, timestamp, r.key(), r.value(), headers);
            n++;
        }
        MemoryRecords built = builder.build();
        if (n > 1 && built.sizeInBytes() > limit) {
            // The size estimate of a compressed batch was low: take fewer records.
            return build(tp, sequence, records.subList(0, from + n / 2), from, maxBytes, nowMs, codec);
        }
        return new BatchTarget.Batch(tp, built, n);
    }

    /**
     * The source batch as it goes to the target: its header rewritten in place (the link's producer id and epoch,
     * {@code sequence}, base offset 0, not transactional), its payload untouched.
     */
    BatchTarget.Batch forward(TopicPartition tp, SourceBatch.Forward source, int sequence) {
        header.rewrite(source.buffer(), source.at(), writer.producerId(), writer.epoch(), sequence);
        ByteBuffer slice = source.buffer().duplicate();
        slice.limit(source.at() + source.sizeInBytes()).position(source.at());
        return new BatchTarget.Batch(tp, MemoryRecords.readableRecords(slice.slice()), source.count());
    }
}

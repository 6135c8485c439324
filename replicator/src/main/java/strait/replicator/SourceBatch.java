package strait.replicator;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.compress.Compression;

/**
 * One source batch as the partition's writer receives it, whichever path fetched it: either the batch's own bytes, to
 * be forwarded with only its header rewritten, or its records, to be encoded into new batches. Both cover consecutive
 * source offsets; a forwarded batch is one run of the offset map. Immutable once handed to the writer, except that the
 * writer rewrites a forwarded batch's header in place just before sending it.
 */
sealed interface SourceBatch {

    /** Records this batch puts on the target. */
    int count();

    /** Source offset of its first record. */
    long firstOffset();

    /**
     * A v2 batch fetched from the source, checked (CRC, magic 2, {@code lastOffsetDelta == count - 1}, not control,
     * not aborted), held as a slice of the fetch response's buffer from {@code at}.
     *
     * @param buffer the fetch response's records, shared by the partition's batches of one response
     * @param at where this batch starts in {@code buffer}
     * @param firstOffset the batch's base offset on the source
     * @param count its records, also {@code lastOffsetDelta + 1}
     * @param sizeInBytes its length on the wire
     */
    record Forward(ByteBuffer buffer, int at, long firstOffset, int count, int sizeInBytes) implements SourceBatch {}

    /**
     * Records to encode: the record path's consumer records, or a source batch the byte path could not forward
     * (decoded, with the reason counted).
     *
     * @param compression the codec to encode them with, the source batch's; null for the writer's configured one
     */
    record Encode(List<ConsumerRecord<byte[], byte[]>> records, Compression compression) implements SourceBatch {
        @Override
        public int count() {
            return records.size();
        }

        @Override
        public long firstOffset() {
            return records.get(0).offset();
        }
    }
}

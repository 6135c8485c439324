package strait.replicator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;

/**
 * Turns the raw records of one fetched source partition into the {@link SourceBatch}es its writer receives: what a
 * {@code read_committed} consumer would return, batch by batch. Control batches and the batches of aborted
 * transactions (from the response's aborted-transaction list) are dropped; every other batch is forwarded as its
 * bytes when the target will store and serve it exactly as the source does, and decoded into records otherwise, each
 * fallback counted by its reason (docs/decisions/0005):
 *
 * <ul>
 *   <li>{@code gapped}: compaction removed records from the batch ({@code lastOffsetDelta != count - 1}); the target
 *       would assign the survivors consecutive offsets but read the batch's offsets from its header;
 *   <li>{@code log_append_time}: readers of the source see the append time, the target would keep the create times;
 *   <li>{@code delete_horizon}: the bit tells the target's cleaner a tombstone deadline set on the source;
 *   <li>{@code partial}: the batch begins before the fetch position (a restart mid-batch);
 *   <li>{@code legacy_format}: a magic 0 or 1 message set.
 * </ul>
 *
 * A batch larger than the target topic's {@code max.message.bytes} is decoded by the sender, which knows the limit
 * ({@code too_large}). Empty batches (every record compacted away) carry nothing and are skipped ({@code empty}). A CRC that does not
 * match the bytes is a {@link CorruptRecordException}, never copied.
 *
 * <p>This is the one class that reads records with Kafka's internal record classes; headers are read and rewritten
 * by {@link BatchHeader} on plain buffers. Thread: the fetcher that owns the buffer, or the sender for {@link #decode}.
 */
final class SourceBatches {

    /**
     * What one partition's fetched bytes come to.
     *
     * @param batches to write, in source order
     * @param records in all {@code batches}
     * @param nextOffset the source offset after the last complete batch read (markers and aborted ones included), or
     *     the fetch offset when there was none
     * @param bytes the batches' size in memory
     * @param lastEpoch the partition leader epoch of the last complete batch, -1 when there was none
     */
    record Split(List<SourceBatch> batches, int records, long nextOffset, long bytes, int lastEpoch) {}

    /** Counts what became of each batch. Called on the fetcher thread. */
    interface Counter {
        void batch(String path, String reason);
    }

    private SourceBatches() {}

    /** Splits {@code records} fetched from {@code fetchOffset}. */
    static Split split(
            TopicPartition tp,
            ByteBuffer records,
            long fetchOffset,
            List<FetchResponseData.AbortedTransaction> aborted,
            BatchHeader header,
            Counter counter) {
        PriorityQueue<FetchResponseData.AbortedTransaction> abortedByOffset =
                new PriorityQueue<>((a, b) -> Long.compare(a.firstOffset(), b.firstOffset()));
        if (aborted != null) {
            abortedByOffset.addAll(aborted);
        }
        Set<Long> abortedProducers = new HashSet<>();
        List<SourceBatch> out = new ArrayList<>();
        long nextOffset = fetchOffset;
        int lastEpoch = -1;
        int count = 0;
        long bytes = 0;
        int limit = records.limit();
        for (int at = records.position(); at + BatchHeader.MIN_READABLE <= limit; ) {
            int size = BatchHeader.sizeInBytes(records, at);
            if (size < BatchHeader.MIN_READABLE || at + size > limit) {
                break; // the response ends inside this batch: it comes again with the next fetch
            }
            byte magic = BatchHeader.magic(records, at);
            if (magic < RecordBatch.MAGIC_VALUE_V2) {
                List<ConsumerRecord<byte[], byte[]>> legacy = decode(tp, slice(records, at, size), fetchOffset, 0);
                nextOffset = Math.max(nextOffset, lastOffsetOfLegacy(records, at, size) + 1);
                if (!legacy.isEmpty()) {
                    out.add(new SourceBatch.Encode(legacy, Compression.NONE));
                    count += legacy.size();
                    bytes += size;
                }
                counter.batch("record", "legacy_format");
                at += size;
                continue;
            }
            if (size < BatchHeader.SIZE || !header.crcValid(records, at)) {
                throw new CorruptRecordException("the source batch of " + tp + " at offset "
                        + BatchHeader.baseOffset(records, at) + " fails its CRC check (" + size + " bytes)");
            }
            long base = BatchHeader.baseOffset(records, at);
            long last = base + BatchHeader.lastOffsetDelta(records, at);
            int n = BatchHeader.recordsCount(records, at);
            short attributes = BatchHeader.attributes(records, at);
            long producerId = BatchHeader.producerId(records, at);
            lastEpoch = BatchHeader.partitionLeaderEpoch(records, at);
            at += size;
            if (last < nextOffset) {
                continue; // wholly before the fetch position
            }
            nextOffset = last + 1;
            boolean transactional = (attributes & BatchHeader.TRANSACTIONAL) != 0;
            if (transactional) {
                while (!abortedByOffset.isEmpty() && abortedByOffset.peek().firstOffset() <= last) {
                    abortedProducers.add(abortedByOffset.poll().producerId());
                }
            }
            if ((attributes & BatchHeader.CONTROL) != 0) {
                if (transactional && isAbortMarker(records, at - size, size)) {
                    abortedProducers.remove(producerId);
                }
                continue;
            }
            if (transactional && abortedProducers.contains(producerId)) {
                counter.batch("none", "aborted");
                continue;
            }
            if (n == 0) {
                counter.batch("none", "empty");
                continue;
            }
            String fallback = fallback(records, at - size, base, n, attributes, fetchOffset);
            if (fallback == null) {
                out.add(new SourceBatch.Forward(records, at - size, base, n, size));
                count += n;
            } else {
                List<ConsumerRecord<byte[], byte[]>> decoded =
                        decode(tp, slice(records, at - size, size), fetchOffset, 0);
                if (!decoded.isEmpty()) {
                    out.add(new SourceBatch.Encode(decoded, codecOf(attributes)));
                    count += decoded.size();
                }
                counter.batch("record", fallback);
            }
            bytes += size;
        }
        return new Split(out, count, nextOffset, bytes, lastEpoch);
    }

    /** Why a v2 batch cannot be forwarded as it is, or null when it can. */
    private static String fallback(
            ByteBuffer records, int at, long base, int count, short attributes, long fetchOffset) {
        if (base < fetchOffset) {
            return "partial";
        }
        if (BatchHeader.lastOffsetDelta(records, at) != count - 1) {
            return "gapped";
        }
        if ((attributes & BatchHeader.LOG_APPEND_TIME) != 0) {
            return "log_append_time";
        }
        if ((attributes & BatchHeader.DELETE_HORIZON) != 0) {
            return "delete_horizon";
        }
        return null;
    }

    /**
     * A forwarded batch as records, for when the target refuses it whole (larger than it allows once recompressed,
     * or with a record it refuses): the sender then writes them on the record path with the batch's own codec.
     */
    static SourceBatch.Encode decode(TopicPartition tp, SourceBatch.Forward forward) {
        ByteBuffer batch = slice(forward.buffer(), forward.at(), forward.sizeInBytes());
        short attributes = BatchHeader.attributes(forward.buffer(), forward.at());
        // The header may already be rewritten for the target (base offset 0): offsets are the source's again.
        long shift = forward.firstOffset() - BatchHeader.baseOffset(forward.buffer(), forward.at());
        return new SourceBatch.Encode(decode(tp, batch, forward.firstOffset(), shift), codecOf(attributes));
    }

    /**
     * Consecutive forwarded batches of one codec as one run of records, to be written as one batch with that codec
     * ({@link SmallBatches}).
     */
    static SourceBatch.Encode decode(TopicPartition tp, List<SourceBatch.Forward> run) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (SourceBatch.Forward forward : run) {
            records.addAll(decode(tp, forward).records());
        }
        short attributes =
                BatchHeader.attributes(run.get(0).buffer(), run.get(0).at());
        return new SourceBatch.Encode(records, codecOf(attributes));
    }

    /** The id of the codec a forwarded batch is compressed with. */
    static int codecId(SourceBatch.Forward forward) {
        return BatchHeader.attributes(forward.buffer(), forward.at()) & BatchHeader.COMPRESSION_MASK;
    }

    /**
     * The records of the batches in {@code batch} from {@code fromOffset} on, as a consumer would return them, each
     * offset in the bytes moved by {@code shift}.
     */
    private static List<ConsumerRecord<byte[], byte[]>> decode(
            TopicPartition tp, ByteBuffer batch, long fromOffset, long shift) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (RecordBatch b : MemoryRecords.readableRecords(batch).batches()) {
            boolean appendTime = b.timestampType() == TimestampType.LOG_APPEND_TIME;
            TimestampType type = b.timestampType();
            for (Record r : b) {
                long offset = r.offset() + shift;
                if (offset < fromOffset) {
                    continue;
                }
                byte[] key = r.hasKey() ? Utils.toArray(r.key()) : null;
                byte[] value = r.hasValue() ? Utils.toArray(r.value()) : null;
                out.add(new ConsumerRecord<>(
                        tp.topic(),
                        tp.partition(),
                        offset,
                        appendTime ? b.maxTimestamp() : r.timestamp(),
                        type,
                        key == null ? -1 : key.length,
                        value == null ? -1 : value.length,
                        key,
                        value,
                        new RecordHeaders(r.headers()),
                        Optional.empty()));
            }
        }
        return out;
    }

    private static boolean isAbortMarker(ByteBuffer records, int at, int size) {
        for (RecordBatch b :
                MemoryRecords.readableRecords(slice(records, at, size)).batches()) {
            for (Record r : b) {
                return ControlRecordType.parse(r.key()) == ControlRecordType.ABORT;
            }
        }
        return false;
    }

    private static long lastOffsetOfLegacy(ByteBuffer records, int at, int size) {
        // A legacy wrapper message carries the offset of its last inner message.
        return BatchHeader.baseOffset(records, at);
    }

    /** The codec the batch was compressed with, at its default level. */
    private static Compression codecOf(short attributes) {
        return Compression.of(CompressionType.forId(attributes & BatchHeader.COMPRESSION_MASK))
                .build();
    }

    private static ByteBuffer slice(ByteBuffer buffer, int at, int size) {
        ByteBuffer slice = buffer.duplicate();
        slice.limit(at + size).position(at);
        return slice.slice();
    }
}

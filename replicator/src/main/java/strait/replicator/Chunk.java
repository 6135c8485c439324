package strait.replicator;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What one fetch returned for one partition, handed from the fetcher thread to the sender thread through a JCTools
 * queue (the thread boundary): source batches in source order. Immutable once enqueued.
 *
 * @param epoch      the partition's assignment generation when fetched; a stale chunk is dropped, never written
 * @param batches    the batches to write, in source order (none when the fetch only moved past markers or aborts)
 * @param records    records in all of {@code batches}
 * @param nextOffset the source position after this chunk, past any markers and aborted records that followed the
 *                   last record
 * @param bytes      what the chunk holds in memory, for backpressure
 * @param buffer     the fetch response its forwarded batches point into, released by the sender once done with the
 *                   chunk ({@link #release}); null when it holds none (the record path)
 */
record Chunk(
        PartitionState partition,
        int epoch,
        List<SourceBatch> batches,
        int records,
        long nextOffset,
        long bytes,
        ResponseBuffer buffer) {

    Chunk(PartitionState partition, int epoch, List<SourceBatch> batches, int records, long nextOffset, long bytes) {
        this(partition, epoch, batches, records, nextOffset, bytes, null);
    }

    /**
     * The sender is done with this chunk (every record acked, or the chunk dropped): its backpressure is lifted and
     * its response buffer may serve another fetch. Call once, on the sender thread, with no request in flight.
     */
    void release() {
        partition.onDone(records, bytes);
        if (buffer != null) {
            buffer.release();
        }
    }

    /** A record path chunk: one poll's records of one partition, encoded with the writer's codec. */
    static Chunk ofRecords(
            PartitionState partition,
            int epoch,
            List<ConsumerRecord<byte[], byte[]>> records,
            long nextOffset,
            long bytes) {
        List<SourceBatch> batches = records.isEmpty() ? List.of() : List.of(new SourceBatch.Encode(records, null));
        return new Chunk(partition, epoch, batches, records.size(), nextOffset, bytes);
    }

    static long sizeOf(ConsumerRecord<byte[], byte[]> record) {
        long size = 64L + Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        for (var header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }
}

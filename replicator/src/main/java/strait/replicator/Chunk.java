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
 */
record Chunk(PartitionState partition, int epoch, List<SourceBatch> batches, int records, long nextOffset, long bytes) {

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

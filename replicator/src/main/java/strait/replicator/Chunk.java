package strait.replicator;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The records one poll returned for one partition, handed from the fetcher thread to the sender thread through a
 * JCTools queue (the thread boundary). Immutable once enqueued.
 *
 * @param epoch      the partition's assignment generation when fetched; a stale chunk is dropped, never written
 * @param nextOffset the source position after this chunk ({@code ConsumerRecords.nextOffsets()}), past any markers and
 *                   aborted records that followed the last record
 */
record Chunk(
        PartitionState partition,
        int epoch,
        List<ConsumerRecord<byte[], byte[]>> records,
        long nextOffset,
        long bytes) {

    static long sizeOf(ConsumerRecord<byte[], byte[]> record) {
        long size = 64L + Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        for (var header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }
}

package strait.replicator;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The exact size of a v2 record batch holding one uncompressed record, computed from the public record fields (the
 * Kafka classes that do this are internal API). The sender compares it with the target topic's
 * {@code max.message.bytes} before sending, so a record the target would refuse stops its partition before anything
 * after it is sent: the producer would otherwise deliver later batches past the refused one, leaving a hole.
 * Stateless; any thread.
 */
final class RecordSize {

    /** Bytes of a v2 batch header. */
    static final int BATCH_OVERHEAD = 61;

    private RecordSize() {
    }

    static int singleRecordBatch(ConsumerRecord<byte[], byte[]> record) {
        int body = 1 // attributes
                + 1 // timestamp delta 0
                + 1 // offset delta 0
                + bytesField(record.key())
                + bytesField(record.value());
        int headers = 0;
        int count = 0;
        for (Header h : record.headers()) {
            byte[] key = h.key().getBytes(StandardCharsets.UTF_8);
            headers += varint(key.length) + key.length + bytesField(h.value());
            count++;
        }
        body += varint(count) + headers;
        return BATCH_OVERHEAD + varint(body) + body;
    }

    private static int bytesField(byte[] b) {
        return b == null ? varint(-1) : varint(b.length) + b.length;
    }

    /** Length of a zig-zag varint. */
    static int varint(int value) {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & 0xffffff80) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }
}

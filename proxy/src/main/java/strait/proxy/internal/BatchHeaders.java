package strait.proxy.internal;

import java.nio.ByteBuffer;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;
import java.util.zip.CRC32C;

/**
 * Reads and patches the producer id in the headers of v2 record batches, on a plain {@link ByteBuffer} (the records
 * of one partition of a Produce request), so that no internal Kafka record class is needed: the v2 header layout is
 * frozen by the protocol. A patched batch gets its CRC-32C recomputed over bytes 21 to its end (attributes onward);
 * the records and the compressed payload are never touched.
 *
 * <p>A batch whose stored CRC does not match is left as it came, so the broker still refuses it as corrupt instead
 * of a fresh CRC hiding the damage. Anything that is not a whole v2 batch ends the walk.
 *
 * <p>Stateless; any thread (the caller owns the buffer).
 */
final class BatchHeaders {

    static final int LENGTH_OFFSET = 8;
    static final int MAGIC_OFFSET = 16;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int PRODUCER_ID_OFFSET = 43;
    static final int BASE_SEQUENCE_OFFSET = 53;
    static final int HEADER_BYTES = 61;
    /** baseOffset (8) and length (4) come before what {@code length} counts. */
    static final int LOG_OVERHEAD = 12;

    private BatchHeaders() {}

    /** Hands every v2 batch's producer id ({@code -1} included) to {@code each}, in order. */
    static void forEachProducerId(ByteBuffer records, LongConsumer each) {
        int pos = records.position();
        int end = records.limit();
        int size;
        while ((size = batchSize(records, pos, end)) > 0) {
            each.accept(records.getLong(pos + PRODUCER_ID_OFFSET));
            pos += size;
        }
    }

    /** The producer id of the first v2 batch, or -1 when there is none. */
    static long firstProducerId(ByteBuffer records) {
        int pos = records.position();
        return batchSize(records, pos, records.limit()) > 0 ? records.getLong(pos + PRODUCER_ID_OFFSET) : -1;
    }

    /** The base sequence of the first v2 batch (call only when {@link #firstProducerId} found one). */
    static int firstBaseSequence(ByteBuffer records) {
        return records.getInt(records.position() + BASE_SEQUENCE_OFFSET);
    }

    /**
     * Replaces the producer id of every v2 batch for which {@code newId} answers a non-negative id other than its
     * own, and recomputes those batches' CRC; {@code newId} returns a negative number to leave a batch alone.
     *
     * @return how many batches were patched
     */
    static int rewriteProducerIds(ByteBuffer records, LongUnaryOperator newId) {
        int pos = records.position();
        int end = records.limit();
        int size;
        int patched = 0;
        while ((size = batchSize(records, pos, end)) > 0) {
            long producerId = records.getLong(pos + PRODUCER_ID_OFFSET);
            long replacement = producerId < 0 ? -1 : newId.applyAsLong(producerId);
            if (replacement >= 0 && replacement != producerId && crcMatches(records, pos, size)) {
                records.putLong(pos + PRODUCER_ID_OFFSET, replacement);
                records.putInt(pos + CRC_OFFSET, (int) crc(records, pos, size));
                patched++;
            }
            pos += size;
        }
        return patched;
    }

    /** The size of the whole v2 batch at {@code pos}, or 0 when there is none (end, truncated, other magic). */
    private static int batchSize(ByteBuffer records, int pos, int end) {
        if (end - pos < HEADER_BYTES || records.get(pos + MAGIC_OFFSET) != 2) {
            return 0;
        }
        int length = records.getInt(pos + LENGTH_OFFSET);
        if (length < HEADER_BYTES - LOG_OVERHEAD || length > end - pos - LOG_OVERHEAD) {
            return 0;
        }
        return LOG_OVERHEAD + length;
    }

    private static boolean crcMatches(ByteBuffer records, int pos, int size) {
        return (int) crc(records, pos, size) == records.getInt(pos + CRC_OFFSET);
    }

    private static long crc(ByteBuffer records, int pos, int size) {
        CRC32C crc = new CRC32C();
        ByteBuffer covered = records.duplicate();
        covered.limit(pos + size).position(pos + ATTRIBUTES_OFFSET);
        crc.update(covered);
        return crc.getValue();
    }
}

package strait.replicator;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The 61-byte header of a v2 record batch, read and rewritten in place on a plain {@link ByteBuffer} (the v2 layout is
 * frozen by the protocol, so the offsets are constants here rather than Kafka's internal classes). Forwarding a source
 * batch changes only this header: base offset 0 (the broker assigns offsets), no partition leader epoch, the link's
 * producer id, epoch and sequence, the transactional bit cleared, and the CRC-32C over attributes to the end of the
 * batch recomputed. The compressed payload is never touched.
 *
 * <p>Every method takes the batch's start {@code at} in the buffer and leaves the buffer's position and limit as they
 * were. Not thread-safe: one instance per thread (it owns a {@link CRC32C}); nothing is allocated per batch. Public
 * only for its JMH benchmark.
 */
public final class BatchHeader {

    static final int BASE_OFFSET = 0;
    static final int LENGTH = 8;
    static final int PARTITION_LEADER_EPOCH = 12;
    static final int MAGIC = 16;
    static final int CRC = 17;
    static final int ATTRIBUTES = 21;
    static final int LAST_OFFSET_DELTA = 23;
    static final int BASE_TIMESTAMP = 27;
    static final int MAX_TIMESTAMP = 35;
    static final int PRODUCER_ID = 43;
    static final int PRODUCER_EPOCH = 51;
    static final int BASE_SEQUENCE = 53;
    static final int RECORDS_COUNT = 57;
    static final int SIZE = 61;
    /** Bytes needed to read any batch's size and magic, legacy message sets included. */
    static final int MIN_READABLE = MAGIC + 1;

    static final int COMPRESSION_MASK = 0x07;
    static final int LOG_APPEND_TIME = 0x08;
    static final int TRANSACTIONAL = 0x10;
    static final int CONTROL = 0x20;
    static final int DELETE_HORIZON = 0x40;

    private final CRC32C crc = new CRC32C();

    /** The batch's size in bytes: its length field plus the 12 bytes before it. */
    static int sizeInBytes(ByteBuffer buffer, int at) {
        return buffer.getInt(at + LENGTH) + 12;
    }

    static byte magic(ByteBuffer buffer, int at) {
        return buffer.get(at + MAGIC);
    }

    static int partitionLeaderEpoch(ByteBuffer buffer, int at) {
        return buffer.getInt(at + PARTITION_LEADER_EPOCH);
    }

    static long producerId(ByteBuffer buffer, int at) {
        return buffer.getLong(at + PRODUCER_ID);
    }

    static short attributes(ByteBuffer buffer, int at) {
        return buffer.getShort(at + ATTRIBUTES);
    }

    static long baseOffset(ByteBuffer buffer, int at) {
        return buffer.getLong(at + BASE_OFFSET);
    }

    static int lastOffsetDelta(ByteBuffer buffer, int at) {
        return buffer.getInt(at + LAST_OFFSET_DELTA);
    }

    static int recordsCount(ByteBuffer buffer, int at) {
        return buffer.getInt(at + RECORDS_COUNT);
    }

    static long baseTimestamp(ByteBuffer buffer, int at) {
        return buffer.getLong(at + BASE_TIMESTAMP);
    }

    static long maxTimestamp(ByteBuffer buffer, int at) {
        return buffer.getLong(at + MAX_TIMESTAMP);
    }

    /** Whether the stored CRC matches the bytes: checked on the source's bytes before anything is rewritten. */
    public boolean crcValid(ByteBuffer buffer, int at) {
        return (int) checksum(buffer, at) == buffer.getInt(at + CRC);
    }

    /**
     * Makes the batch the link's: base offset 0, leader epoch -1, {@code producerId} / {@code epoch} /
     * {@code sequence}, the transactional bit cleared (the copy is committed data), CRC recomputed.
     */
    public void rewrite(ByteBuffer buffer, int at, long producerId, short epoch, int sequence) {
        buffer.putLong(at + BASE_OFFSET, 0L);
        buffer.putInt(at + PARTITION_LEADER_EPOCH, -1);
        buffer.putShort(at + ATTRIBUTES, (short) (attributes(buffer, at) & ~TRANSACTIONAL));
        buffer.putLong(at + PRODUCER_ID, producerId);
        buffer.putShort(at + PRODUCER_EPOCH, epoch);
        buffer.putInt(at + BASE_SEQUENCE, sequence);
        buffer.putInt(at + CRC, (int) checksum(buffer, at));
    }

    private long checksum(ByteBuffer buffer, int at) {
        int position = buffer.position();
        int limit = buffer.limit();
        int end = at + sizeInBytes(buffer, at);
        crc.reset();
        buffer.limit(end).position(at + ATTRIBUTES);
        crc.update(buffer);
        buffer.limit(limit).position(position);
        return crc.getValue();
    }
}

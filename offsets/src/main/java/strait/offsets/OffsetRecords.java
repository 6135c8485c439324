package strait.offsets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The binary layout of the records of {@code <link.name>.offsets.internal}. Four kinds, all keyed so that compaction
 * keeps exactly the latest state:
 * <ul>
 *   <li>run: key {@code 'R' | partition:int | sourceStart:long | topic:utf8}, value {@code targetStart:long |
 *       length:long}; a null value (tombstone) deletes a trimmed run;</li>
 *   <li>position: key {@code 'P' | partition:int | topic:utf8}, value {@code oldestTranslatable:long |
 *       replicatedPosition:long | targetPosition:long};</li>
 *   <li>source topic identity: key {@code 'T' | -1:int | topic:utf8}, value {@code topicId:uuid (2 longs)}: the
 *       source topic the maps of that name were built from, so a topic deleted and created again is recognised;</li>
 *   <li>writer: key {@code 'W' | -1:int | producerId:decimal utf8}, value {@code producerId:long | epoch:long}: a
 *       producer id allocated for the link. The first in the topic is the link's; one whose allocation lost a race
 *       stays behind it under its own key, so compaction never reorders the two.</li>
 * </ul>
 * Values start with a version byte so the layout can evolve.
 */
final class OffsetRecords {

    static final byte RUN = 'R';
    static final byte POSITION = 'P';
    static final byte TOPIC = 'T';
    static final byte WRITER = 'W';
    private static final byte VERSION = 1;

    private OffsetRecords() {}

    static byte[] runKey(TopicPartition tp, long sourceStart) {
        byte[] topic = tp.topic().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + 8 + topic.length)
                .put(RUN)
                .putInt(tp.partition())
                .putLong(sourceStart)
                .put(topic)
                .array();
    }

    static byte[] runValue(long targetStart, long length) {
        return ByteBuffer.allocate(1 + 16)
                .put(VERSION)
                .putLong(targetStart)
                .putLong(length)
                .array();
    }

    static byte[] positionKey(TopicPartition tp) {
        byte[] topic = tp.topic().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + topic.length)
                .put(POSITION)
                .putInt(tp.partition())
                .put(topic)
                .array();
    }

    static byte[] positionValue(long oldest, long replicated, long target) {
        return ByteBuffer.allocate(1 + 24)
                .put(VERSION)
                .putLong(oldest)
                .putLong(replicated)
                .putLong(target)
                .array();
    }

    static byte[] topicKey(String topic) {
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + name.length)
                .put(TOPIC)
                .putInt(-1)
                .put(name)
                .array();
    }

    static byte[] topicValue(Uuid id) {
        return ByteBuffer.allocate(1 + 16)
                .put(VERSION)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array();
    }

    static byte[] writerKey(WriterId writer) {
        byte[] id = Long.toString(writer.producerId()).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + id.length)
                .put(WRITER)
                .putInt(-1)
                .put(id)
                .array();
    }

    static byte[] writerValue(WriterId writer) {
        return ByteBuffer.allocate(1 + 16)
                .put(VERSION)
                .putLong(writer.producerId())
                .putLong(writer.epoch())
                .array();
    }

    static WriterId decodeWriter(byte[] value) {
        long[] fields = new long[2];
        decodeValue(value, fields, 2);
        return new WriterId(fields[0], (short) fields[1]);
    }

    static Uuid decodeTopicId(byte[] value) {
        long[] bits = new long[2];
        decodeValue(value, bits, 2);
        return new Uuid(bits[0], bits[1]);
    }

    /** A decoded key: kind, partition (-1 for a topic identity), sourceStart (runs only). */
    record Key(byte kind, TopicPartition tp, long sourceStart) {}

    /**
     * Decodes a key.
     *
     * @throws IllegalArgumentException for a key this layout does not know
     */
    static Key decodeKey(byte[] key) {
        if (key == null || key.length < 5) {
            throw new IllegalArgumentException("offset record key too short");
        }
        ByteBuffer buffer = ByteBuffer.wrap(key);
        byte kind = buffer.get();
        int partition = buffer.getInt();
        long sourceStart = -1;
        if (kind == RUN) {
            sourceStart = buffer.getLong();
        } else if (kind != POSITION && kind != TOPIC && kind != WRITER) {
            throw new IllegalArgumentException("unknown offset record kind " + kind);
        }
        String topic = StandardCharsets.UTF_8.decode(buffer).toString();
        return new Key(kind, new TopicPartition(topic, partition), sourceStart);
    }

    /** Decodes a value into {@code out} (2 longs for a run, 3 for a position). */
    static void decodeValue(byte[] value, long[] out, int fields) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        byte version = buffer.get();
        if (version != VERSION || value.length < 1 + fields * 8) {
            throw new IllegalArgumentException("unknown offset record version " + version);
        }
        for (int i = 0; i < fields; i++) {
            out[i] = buffer.getLong();
        }
    }
}

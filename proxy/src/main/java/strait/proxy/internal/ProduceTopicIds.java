package strait.proxy.internal;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.Uuid;

/**
 * Patches the topic ids of a Produce request (v13+, where a topic is named by its 16-byte id alone) in place, on the
 * request body's own bytes: the body is {@code transactional_id} (compact nullable string), {@code acks} (int16),
 * {@code timeout_ms} (int32), then the compact array of topics, each its id, the compact array of partitions (index
 * int32, records as compact nullable bytes, tagged fields) and its tagged fields. Nothing else moves, so the frame
 * keeps its size and the record batches (and their CRCs, which do not cover the topic) are untouched.
 *
 * <p>Stateless; the caller owns the buffer.
 */
final class ProduceTopicIds {

    /** Produce names topics by id from this version on. */
    static final short TOPIC_ID_VERSION = 13;

    private ProduceTopicIds() {}

    /**
     * Replaces every topic id for which {@code newId} answers another id (null: leave it).
     *
     * @param body the request body, from its position on
     * @return each new id with the id it replaced (the responses carry the new one and must get the old one back)
     * @throws IllegalArgumentException when the body does not have the layout above
     */
    static Map<Uuid, Uuid> patch(ByteBuffer body, UnaryOperator<Uuid> newId) {
        Map<Uuid, Uuid> replaced = new HashMap<>();
        int[] pos = {body.position()};
        int txLength = uvarint(body, pos) - 1;
        skip(body, pos, Math.max(txLength, 0));
        skip(body, pos, 2 + 4);
        int topics = uvarint(body, pos) - 1;
        for (int t = 0; t < topics; t++) {
            check(body, pos[0], 16);
            Uuid id = new Uuid(body.getLong(pos[0]), body.getLong(pos[0] + 8));
            Uuid to = newId.apply(id);
            if (to != null && !to.equals(id)) {
                body.putLong(pos[0], to.getMostSignificantBits());
                body.putLong(pos[0] + 8, to.getLeastSignificantBits());
                replaced.put(to, id);
            }
            skip(body, pos, 16);
            int partitions = uvarint(body, pos) - 1;
            for (int p = 0; p < partitions; p++) {
                skip(body, pos, 4);
                int records = uvarint(body, pos) - 1;
                skip(body, pos, Math.max(records, 0));
                skipTaggedFields(body, pos);
            }
            skipTaggedFields(body, pos);
        }
        return replaced;
    }

    private static void skipTaggedFields(ByteBuffer body, int[] pos) {
        int fields = uvarint(body, pos);
        for (int f = 0; f < fields; f++) {
            uvarint(body, pos);
            skip(body, pos, uvarint(body, pos));
        }
    }

    private static void skip(ByteBuffer body, int[] pos, int bytes) {
        check(body, pos[0], bytes);
        pos[0] += bytes;
    }

    private static void check(ByteBuffer body, int at, int bytes) {
        if (bytes < 0 || at + bytes > body.limit()) {
            throw new IllegalArgumentException("a Produce request body ends early at byte " + at);
        }
    }

    private static int uvarint(ByteBuffer body, int[] pos) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            check(body, pos[0], 1);
            byte b = body.get(pos[0]++);
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("a varint longer than 5 bytes in a Produce request body");
    }
}

package strait.offsets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.TopicPartition;

/**
 * MirrorMaker 2's checkpoint record layout ({@code org.apache.kafka.connect.mirror.Checkpoint}, version 0), written
 * with plain {@link ByteBuffer}s: the class's own serializers are package-private and its schema types are Kafka
 * internals. Key: group, topic (strings: int16 length + UTF-8), partition (int32). Value: version (int16), upstream
 * offset, downstream offset (int64), metadata (string). {@code CheckpointRecordsTest} checks it against
 * {@code Checkpoint.deserializeRecord}.
 */
final class CheckpointRecords {

    private static final short VERSION = 0;

    private CheckpointRecords() {}

    static byte[] key(String group, TopicPartition tp) {
        byte[] g = bytes(group);
        byte[] t = bytes(tp.topic());
        return ByteBuffer.allocate(2 + g.length + 2 + t.length + 4)
                .putShort((short) g.length)
                .put(g)
                .putShort((short) t.length)
                .put(t)
                .putInt(tp.partition())
                .array();
    }

    static byte[] value(long upstreamOffset, long downstreamOffset, String metadata) {
        byte[] m = bytes(metadata == null ? "" : metadata);
        return ByteBuffer.allocate(2 + 8 + 8 + 2 + m.length)
                .putShort(VERSION)
                .putLong(upstreamOffset)
                .putLong(downstreamOffset)
                .putShort((short) m.length)
                .put(m)
                .array();
    }

    private static byte[] bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("string too long for a checkpoint record: " + b.length + " bytes");
        }
        return b;
    }
}

package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Test helper: reads whole partitions from real brokers and compares records by content. */
final class PartitionLogs {

    private PartitionLogs() {}

    /**
     * Every record of {@code tp} from its log start to its end ({@code read_committed}: the last stable offset,
     * committed records only; {@code read_uncommitted}: the high watermark, everything).
     */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, TopicPartition tp, String isolation) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            eventually("reading " + tp + " to " + end + " (" + isolation + ")", Duration.ofSeconds(30), () -> {
                if (consumer.position(tp) >= end) {
                    return true;
                }
                consumer.poll(Duration.ofMillis(200)).records(tp).forEach(records::add);
                return consumer.position(tp) >= end;
            });
            return records;
        }
    }

    /** The end offset of {@code tp} seen with {@code isolation}. */
    static long endOffset(String bootstrap, TopicPartition tp, String isolation) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }

    /** A record's content without its offset: key, value, headers in order, timestamp and its type. */
    static String content(ConsumerRecord<byte[], byte[]> r) {
        StringBuilder s = new StringBuilder();
        s.append(text(r.key()))
                .append('|')
                .append(text(r.value()))
                .append('|')
                .append(r.timestamp())
                .append('|')
                .append(r.timestampType());
        for (Header h : r.headers()) {
            s.append('|').append(h.key()).append('=').append(text(h.value()));
        }
        return s.toString();
    }

    static List<String> contents(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(PartitionLogs::content).toList();
    }

    /** Asserts that the target holds exactly the source's committed records, in order, by content. */
    static void assertSameRecords(
            TopicPartition tp,
            List<ConsumerRecord<byte[], byte[]>> source,
            List<ConsumerRecord<byte[], byte[]>> target) {
        List<String> s = contents(source);
        List<String> t = contents(target);
        assertThat(t.size())
                .as("records of %s on the target vs committed on the source", tp)
                .isEqualTo(s.size());
        for (int i = 0; i < s.size(); i++) {
            if (!s.get(i).equals(t.get(i))) {
                throw new AssertionError(tp + ": record #" + i + " differs: source offset "
                        + source.get(i).offset() + " " + s.get(i) + " vs target offset "
                        + target.get(i).offset() + " " + t.get(i));
            }
        }
    }

    static String text(byte[] bytes) {
        return bytes == null ? "<null>" : new String(bytes, StandardCharsets.UTF_8);
    }
}

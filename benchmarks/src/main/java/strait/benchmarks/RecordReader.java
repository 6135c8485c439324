package strait.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads single records by position, to check a translated offset by content. Not thread-safe. */
final class RecordReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;

    RecordReader(String bootstrap) {
        consumer = new KafkaConsumer<>(consumerProps(bootstrap));
    }

    static Map<String, Object> consumerProps(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 65536);
        return props;
    }

    /** The value of the record at {@code offset} (or the first after it), with its offset; empty if none. */
    Optional<ConsumerRecord<byte[], byte[]>> at(String topic, int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    static boolean sameRecord(ConsumerRecord<byte[], byte[]> a, ConsumerRecord<byte[], byte[]> b) {
        return Arrays.equals(a.key(), b.key()) && Arrays.equals(a.value(), b.value());
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}

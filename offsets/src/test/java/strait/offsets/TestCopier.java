package strait.offsets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Test-only stand-in for the replicator: copies one source partition to the same partition on the target (read
 * committed, record by record, key, value, headers and timestamp kept) and feeds the {@link OffsetMap} from the
 * target's acks, then from the consumer's position (which moves past markers, aborted and compacted offsets).
 */
final class TestCopier implements AutoCloseable {

    private final TopicPartition tp;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;

    TestCopier(String sourceBootstrap, String targetBootstrap, TopicPartition tp) {
        this.tp = tp;
        this.consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        sourceBootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        targetBootstrap,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.LINGER_MS_CONFIG,
                        5),
                new ByteArraySerializer(),
                new ByteArraySerializer());
        consumer.assign(List.of(tp));
    }

    /**
     * Copies from the map's replicated position up to the source's last stable offset, persisting after each acked
     * batch when {@code store} is not null.
     */
    void copyToEnd(OffsetMap map, OffsetMapStore store, Duration timeout) throws Exception {
        consumer.seek(tp, map.replicatedPosition());
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(tp) < end) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("copy did not reach " + end + " in time; at " + consumer.position(tp));
            }
            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
            consumer.poll(Duration.ofMillis(200)).records(tp).forEach(batch::add);
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                acks.add(producer.send(new ProducerRecord<>(
                        tp.topic(), tp.partition(), r.timestamp(), r.key(), r.value(), r.headers())));
            }
            producer.flush();
            for (int i = 0; i < batch.size(); i++) {
                map.append(batch.get(i).offset(), ackOffset(acks.get(i)));
            }
            map.advanceTo(Math.max(map.replicatedPosition(), consumer.position(tp)));
            if (store != null) {
                store.persist(tp, map);
            }
        }
    }

    private static long ackOffset(Future<RecordMetadata> ack) throws InterruptedException {
        try {
            return ack.get().offset();
        } catch (ExecutionException e) {
            throw new AssertionError("target send failed: " + e.getCause());
        }
    }

    @Override
    public void close() {
        consumer.close();
        producer.close();
    }
}

package strait.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Loads the benchmark records into a source topic, round-robin over its partitions, plain (non-transactional). */
final class Loader {

    private Loader() {}

    static Map<String, Object> producerProps(String bootstrap, String compression, int lingerMs) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        return props;
    }

    /** Writes {@code records} values of {@code size} bytes; returns the seconds it took. */
    static double load(
            String bootstrap, String topic, int partitions, long records, int size, String compression, long seed)
            throws InterruptedException, ExecutionException {
        long start = System.nanoTime();
        Payloads payloads = new Payloads(seed, size);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(bootstrap, compression, 20))) {
            for (long id = 0; id < records && failure.get() == null; id++) {
                long now = System.currentTimeMillis();
                byte[] key = ("u-" + (id % 100_000)).getBytes(StandardCharsets.US_ASCII);
                producer.send(
                        new ProducerRecord<>(topic, (int) (id % partitions), now, key, payloads.next(id, now)),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                if (id == partitions - 1) {
                    // One record per partition first, alone in flight: a just-created partition may still answer
                    // NOT_LEADER, and an idempotent producer retrying its first batch behind later ones can end in
                    // endless OUT_OF_ORDER_SEQUENCE_NUMBER retries.
                    producer.flush();
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new ExecutionException("loading " + topic + " failed", failure.get());
        }
        return (System.nanoTime() - start) / 1e9;
    }
}

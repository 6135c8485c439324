package strait.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Stock idempotent {@code acks=all} producers sending at a fixed total rate, recording for every acknowledged record
 * when it was sent and when its acknowledgement came, so the write pause of a cutover (the longest gap between two
 * acknowledgements of one producer) and the produce latency can be read afterwards.
 *
 * <p>Threads: one pacing thread per producer; callbacks run on the producers' I/O threads and only append.
 */
final class PacedProducers implements AutoCloseable {

    /** One acknowledged record: its producer, when it was sent and acknowledged ({@link System#nanoTime}). */
    record Ack(int producer, long sentNanos, long ackedNanos) {}

    private static final long TICK_NANOS = 5_000_000;

    private final List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final AtomicLong failures = new AtomicLong();
    private final ConcurrentLinkedQueue<String> firstFailures = new ConcurrentLinkedQueue<>();

    PacedProducers(String bootstrap, List<String> topics, int partitions, int count, int totalPerSecond) {
        double perTick = totalPerSecond / (double) count * TICK_NANOS / 1e9;
        byte[] value = new byte[512];
        for (int id = 0; id < count; id++) {
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            bootstrap,
                            ProducerConfig.ACKS_CONFIG,
                            "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                            true,
                            ProducerConfig.LINGER_MS_CONFIG,
                            id == 0 ? 0 : 5,
                            ProducerConfig.CLIENT_ID_CONFIG,
                            "paced-" + id),
                    new ByteArraySerializer(),
                    new ByteArraySerializer());
            producers.add(producer);
            int producerId = id;
            Thread t = new Thread(
                    () -> pace(producerId, producer, topics, partitions, perTick, value), "paced-producer-" + id);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    private void pace(
            int id,
            KafkaProducer<byte[], byte[]> producer,
            List<String> topics,
            int partitions,
            double perTick,
            byte[] value) {
        long next = System.nanoTime();
        double owed = 0;
        long seq = 0;
        while (running.get()) {
            owed += perTick;
            for (; owed >= 1; owed--, seq++) {
                long sent = System.nanoTime();
                String topic = topics.get((int) (seq % topics.size()));
                int partition = (int) ((seq / topics.size()) % partitions);
                byte[] key = (id + "-" + seq).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, partition, key, value), (metadata, error) -> {
                    if (error == null) {
                        acks.add(new Ack(id, sent, System.nanoTime()));
                    } else if (failures.incrementAndGet() <= 5) {
                        firstFailures.add(error.toString());
                    }
                });
            }
            next += TICK_NANOS;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    List<Ack> acks() {
        return List.copyOf(acks);
    }

    long failures() {
        return failures.get();
    }

    List<String> firstFailures() {
        return List.copyOf(firstFailures);
    }

    /** The longest gap between consecutive acknowledgements of one producer between two instants, in ms. */
    static double longestGapMs(List<Ack> acks, int producers, long fromNanos, long toNanos) {
        long longest = 0;
        for (int id = 0; id < producers; id++) {
            int producer = id;
            long[] times = acks.stream()
                    .filter(a -> a.producer() == producer && a.ackedNanos() >= fromNanos && a.ackedNanos() <= toNanos)
                    .mapToLong(Ack::ackedNanos)
                    .sorted()
                    .toArray();
            for (int i = 1; i < times.length; i++) {
                longest = Math.max(longest, times[i] - times[i - 1]);
            }
        }
        return longest / 1e6;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
        producers.forEach(p -> p.close(Duration.ofSeconds(30)));
    }
}

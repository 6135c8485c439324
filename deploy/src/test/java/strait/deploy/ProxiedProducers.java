package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Stock Java producers (idempotent, {@code acks=all}) writing continuously through the proxy, each record's value
 * naming its producer and its per-producer sequence, so what lands anywhere can be checked record by record against
 * what was acknowledged: once each, in each producer's send order per partition.
 *
 * <p>Threads: one sending thread per producer; the callbacks run on each producer's I/O thread and only append to
 * concurrent queues; {@link #stop} joins them.
 */
final class ProxiedProducers implements AutoCloseable {

    /** One acknowledged record. */
    record Acked(int producer, long seq, String topic, int partition, long ackedAtNanos) {}

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong sent = new AtomicLong();
    private final List<KafkaProducer<String, String>> producers = new ArrayList<>();

    /**
     * @param lingerMs one linger per producer (0 sends each record at once)
     * @param perSecond records per second per producer
     */
    ProxiedProducers(String bootstrap, List<String> topics, int partitions, List<Integer> lingerMs, int perSecond) {
        for (int id = 0; id < lingerMs.size(); id++) {
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs.get(id));
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "proxied-producer-" + id);
            KafkaProducer<String, String> producer =
                    new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
            producers.add(producer);
            int producerId = id;
            Thread thread = new Thread(
                    () -> send(producerId, producer, topics, partitions, perSecond), "proxied-producer-" + id);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    private void send(int id, KafkaProducer<String, String> producer, List<String> topics, int partitions, int rate) {
        long intervalNanos = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (long seq = 0; running.get(); seq++) {
            String topic = topics.get((int) (seq % topics.size()));
            int partition = (int) ((seq / topics.size()) % partitions);
            long s = seq;
            try {
                producer.send(
                        new ProducerRecord<>(topic, partition, "p" + id, "p" + id + "-" + seq), (metadata, error) -> {
                            if (error != null) {
                                failures.add("producer " + id + " seq " + s + ": " + error);
                            } else {
                                acked.add(new Acked(id, s, topic, partition, System.nanoTime()));
                            }
                        });
                sent.incrementAndGet();
            } catch (RuntimeException e) {
                failures.add("producer " + id + " seq " + s + " not sent: " + e);
            }
            next += intervalNanos;
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

    long ackedCount() {
        return acked.size();
    }

    /** Stops sending, flushes and closes every producer (waiting for every callback). */
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
        producers.forEach(p -> p.close(Duration.ofSeconds(60)));
        producers.clear();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    List<Acked> acked() {
        return List.copyOf(acked);
    }

    /** The longest gap between two consecutive acknowledgements of one producer, in milliseconds. */
    long longestAckGapMs() {
        Map<Integer, List<Long>> byProducer = new HashMap<>();
        acked.forEach(a ->
                byProducer.computeIfAbsent(a.producer(), k -> new ArrayList<>()).add(a.ackedAtNanos()));
        long longest = 0;
        for (List<Long> times : byProducer.values()) {
            times.sort(Long::compare);
            for (int i = 1; i < times.size(); i++) {
                longest = Math.max(longest, times.get(i) - times.get(i - 1));
            }
        }
        return longest / 1_000_000;
    }

    /**
     * Reads every record of {@code topics} on a cluster and checks it against what was acknowledged: each
     * acknowledged record is there exactly once, and each producer's records of a partition are in the order it sent
     * them.
     */
    void assertExactlyOnceInOrder(String bootstrap, List<String> topics, int partitions) {
        Map<TopicPartition, List<String>> onCluster = readAll(bootstrap, topics, partitions);
        Map<String, Integer> counts = new HashMap<>();
        onCluster.values().forEach(values -> values.forEach(v -> counts.merge(v, 1, Integer::sum)));
        List<String> duplicates = counts.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .limit(20)
                .toList();
        assertThat(duplicates).as("records on the cluster more than once").isEmpty();
        List<String> missing = acked.stream()
                .map(a -> "p" + a.producer() + "-" + a.seq())
                .filter(v -> !counts.containsKey(v))
                .limit(20)
                .toList();
        assertThat(missing).as("acknowledged records missing on the cluster").isEmpty();
        onCluster.forEach((tp, values) -> {
            Map<String, Long> lastSeq = new HashMap<>();
            for (String v : values) {
                String producer = v.substring(0, v.indexOf('-'));
                long seq = Long.parseLong(v.substring(v.indexOf('-') + 1));
                Long before = lastSeq.put(producer, seq);
                assertThat(before == null || before < seq)
                        .as("%s: %s after seq %s of the same producer", tp, v, before)
                        .isTrue();
            }
        });
        List<String> wrongPartition = acked.stream()
                .filter(a -> !onCluster
                        .getOrDefault(new TopicPartition(a.topic(), a.partition()), List.of())
                        .contains("p" + a.producer() + "-" + a.seq()))
                .limit(5)
                .map(Acked::toString)
                .toList();
        assertThat(wrongPartition)
                .as("acknowledged records not in the partition they were sent to")
                .isEmpty();
    }

    static Map<TopicPartition, List<String>> readAll(String bootstrap, List<String> topics, int partitions) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false);
        Map<TopicPartition, List<String>> values = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> all = new ArrayList<>();
            topics.forEach(t -> {
                for (int p = 0; p < partitions; p++) {
                    all.add(new TopicPartition(t, p));
                }
            });
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> ends = consumer.endOffsets(all);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (all.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertThat(System.nanoTime()).as("read to the end within 60 s").isLessThan(deadline);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>())
                            .add(r.value());
                }
            }
        }
        return values;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

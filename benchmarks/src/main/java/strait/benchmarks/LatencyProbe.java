package strait.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * End-to-end latency at a fixed produce rate: a producer writes to the source topic at {@code rate} records/s, a
 * consumer on the target records receive time minus the record's timestamp (set by the producer at send time and
 * kept by both replicators). Same machine, same clock.
 */
final class LatencyProbe {

    record Latency(int sent, int received, double p50Ms, double p99Ms, double maxMs) {}

    private LatencyProbe() {}

    static Latency measure(RunSpec spec, String targetTopic, int partitions, int rate, int seconds, int size)
            throws InterruptedException, ExecutionException {
        int total = rate * seconds;
        long[] latencies = new long[total];
        AtomicInteger received = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Exception> consumerFailure = new AtomicReference<>();
        var props = RecordReader.consumerProps(spec.targetBootstrap());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> tps = awaitPartitions(consumer, targetTopic, partitions);
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            consumer.poll(Duration.ZERO);
            Thread reader = new Thread(
                    () -> {
                        try {
                            while (!stop.get()) {
                                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                                    long latency = System.currentTimeMillis() - r.timestamp();
                                    int i = received.getAndIncrement();
                                    if (i < latencies.length) {
                                        latencies[i] = latency;
                                    }
                                }
                            }
                        } catch (Exception e) {
                            consumerFailure.set(e);
                        }
                    },
                    "latency-consumer");
            reader.start();
            try {
                produce(spec, partitions, rate, total, size);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (received.get() < total && System.nanoTime() < deadline && consumerFailure.get() == null) {
                    Thread.sleep(50);
                }
            } finally {
                stop.set(true);
                reader.join(10_000);
            }
        }
        if (consumerFailure.get() != null) {
            throw new ExecutionException("latency consumer failed", consumerFailure.get());
        }
        int n = Math.min(received.get(), total);
        long[] samples = Arrays.copyOf(latencies, n);
        Arrays.sort(samples);
        return new Latency(
                total,
                n,
                Percentiles.of(samples, 0.50),
                Percentiles.of(samples, 0.99),
                n == 0 ? Double.NaN : samples[n - 1]);
    }

    private static void produce(RunSpec spec, int partitions, int rate, int total, int size)
            throws InterruptedException, ExecutionException {
        Payloads payloads = new Payloads(7, size);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long intervalNanos = 1_000_000_000L / rate;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(Loader.producerProps(spec.sourceBootstrap(), spec.compression(), 0))) {
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = start + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long now = System.currentTimeMillis();
                producer.send(
                        new ProducerRecord<>(
                                spec.latencyTopic(),
                                i % partitions,
                                now,
                                ("l-" + i).getBytes(StandardCharsets.US_ASCII),
                                payloads.next(i, now)),
                        (m, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                if (i == partitions - 1) {
                    producer.flush(); // As Loader: the first record of each partition alone in flight.
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new ExecutionException("latency producer failed", failure.get());
        }
    }

    private static List<TopicPartition> awaitPartitions(KafkaConsumer<?, ?> consumer, String topic, int partitions)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(2));
                if (infos != null && infos.size() >= partitions) {
                    List<TopicPartition> tps = new ArrayList<>();
                    infos.forEach(i -> tps.add(new TopicPartition(i.topic(), i.partition())));
                    return tps;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // Not created yet.
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "target topic " + topic + " did not appear with " + partitions + " partitions within 60 s");
    }
}

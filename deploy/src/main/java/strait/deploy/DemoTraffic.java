package strait.deploy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;

/**
 * The demo's sample workload on the source cluster: three topics (plain, compacted, transactional with aborted
 * transactions), a producer writing continuously at a modest rate, and two consumer groups committing as they go.
 *
 * <p>Owns its threads: one producer thread and one thread per consumer group; {@link #close} stops them all.
 */
final class DemoTraffic implements AutoCloseable {

    static final String ORDERS = "demo.orders";
    static final String CUSTOMERS = "demo.customers";
    static final String PAYMENTS = "demo.payments";
    static final List<String> GROUPS = List.of("demo.billing", "demo.analytics");

    private static final Logger LOG = LoggerFactory.getLogger(DemoTraffic.class);
    private static final int RECORDS_PER_SECOND = 100;

    private final String bootstrap;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong produced = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();

    private DemoTraffic(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    static DemoTraffic start(String sourceBootstrap, Admin sourceAdmin)
            throws ExecutionException, InterruptedException {
        createTopics(sourceAdmin);
        DemoTraffic traffic = new DemoTraffic(sourceBootstrap);
        traffic.startThread("demo-producer", traffic::produceLoop);
        traffic.startConsumer(GROUPS.get(0), List.of(ORDERS, PAYMENTS));
        traffic.startConsumer(GROUPS.get(1), List.of(ORDERS, CUSTOMERS, PAYMENTS));
        return traffic;
    }

    private static void createTopics(Admin admin) throws ExecutionException, InterruptedException {
        NewTopic orders = new NewTopic(ORDERS, 3, (short) 1);
        NewTopic customers = new NewTopic(CUSTOMERS, 2, (short) 1)
                .configs(Map.of(
                        "cleanup.policy", "compact",
                        "segment.ms", "10000",
                        "min.cleanable.dirty.ratio", "0.01",
                        "delete.retention.ms", "1000"));
        NewTopic payments = new NewTopic(PAYMENTS, 2, (short) 1);
        admin.createTopics(List.of(orders, customers, payments)).all().get();
    }

    long produced() {
        return produced.get();
    }

    private void startThread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void produceLoop() {
        Map<String, Object> plain = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                5);
        Map<String, Object> transactional = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "demo-payments");
        try (var producer = new KafkaProducer<>(plain, new ByteArraySerializer(), new ByteArraySerializer());
                var txProducer =
                        new KafkaProducer<>(transactional, new ByteArraySerializer(), new ByteArraySerializer())) {
            txProducer.initTransactions();
            long n = 0;
            long next = System.nanoTime();
            while (running.get()) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("source", "demo".getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(
                        ORDERS,
                        null,
                        bytes("order-" + (n % 500)),
                        bytes("{\"order\":" + n + ",\"amount\":" + (n * 7 % 1000) + "}"),
                        headers));
                producer.send(new ProducerRecord<>(
                        CUSTOMERS,
                        bytes("customer-" + (n % 50)),
                        bytes("{\"customer\":" + (n % 50) + ",\"version\":" + n + "}")));
                if (n % 10 == 0) {
                    writePayments(txProducer, n);
                }
                produced.addAndGet(2);
                n++;
                next += 1_000_000_000L / (RECORDS_PER_SECOND / 2);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (running.get()) {
                LOG.warn("demo producer stopped: {}", ErrorText.describe(e));
            }
        }
    }

    /** One transaction of five payments; every fourth transaction is aborted, so the topic has aborted records. */
    private void writePayments(KafkaProducer<byte[], byte[]> producer, long n) {
        producer.beginTransaction();
        for (int i = 0; i < 5; i++) {
            producer.send(new ProducerRecord<>(PAYMENTS, bytes("payment-" + n + "-" + i), bytes("{\"n\":" + n + "}")));
        }
        if ((n / 10) % 4 == 3) {
            producer.abortTransaction();
        } else {
            producer.commitTransaction();
            produced.addAndGet(5);
        }
    }

    private void startConsumer(String group, List<String> topics) {
        var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        group,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumers.add(consumer);
        startThread("demo-consumer-" + group, () -> {
            try (consumer) {
                consumer.subscribe(topics);
                while (running.get()) {
                    if (!consumer.poll(Duration.ofMillis(500)).isEmpty()) {
                        consumer.commitSync();
                    }
                }
            } catch (WakeupException e) {
                // close() woke us up: done.
            } catch (RuntimeException e) {
                if (running.get()) {
                    LOG.warn("demo consumer {} stopped: {}", group, ErrorText.describe(e));
                }
            }
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        // No interrupts: a Kafka client interrupted while closing logs stack traces. The producer loop sleeps at most
        // one send interval and checks the flag; consumers leave poll() on wakeup().
        running.set(false);
        consumers.forEach(KafkaConsumer::wakeup);
        for (Thread thread : threads) {
            thread.join(3_000);
        }
    }
}

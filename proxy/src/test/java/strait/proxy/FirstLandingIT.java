package strait.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import strait.embedded.EmbeddedClusters;
import strait.embedded.Eventually;

/**
 * The first landing of a crossed producer on the target, on real brokers: stock idempotent Java producers
 * ({@code max.in.flight} 5, {@code linger.ms} 0 and 5) writing a few hundred records a second to several partitions
 * of two topics through the proxy, across the switch, several times (fresh topics and proxy each time, so the race
 * between an early batch's retry and a later batch shows): no failed send, every acknowledged record once and in
 * order. The topics have other ids on the target (Produce v13 names topics by id), and with a three-broker target the
 * partition leaders differ from the source's.
 */
class FirstLandingIT {

    private static final int PARTITIONS = 3;
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static KafkaClusterTestKit source;
    private static KafkaClusterTestKit target;
    private static KafkaClusterTestKit target3;
    private static TestProxies proxies;
    private static double topicIdsRewritten;

    @BeforeAll
    static void startClusters() {
        source = EmbeddedClusters.startSingleCluster(Map.of());
        target = EmbeddedClusters.startSingleCluster(Map.of());
        target3 = EmbeddedClusters.startMultiBrokerCluster(3);
        proxies = new TestProxies();
    }

    @AfterAll
    static void stopClusters() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {proxies, target3, target, source}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void crossedProducersNeverFailASendAcrossTheSwitch() throws Exception {
        for (int round = 1; round <= 4; round++) {
            crossTheSwitch("single-broker round " + round, target);
        }
        assertThat(topicIdsRewritten)
                .as("Produce requests sent with the target's topic ids")
                .isPositive();
    }

    @Test
    void crossedProducersNeverFailASendWhenTheTargetsLeadersDiffer() throws Exception {
        for (int round = 1; round <= 2; round++) {
            crossTheSwitch("three-broker target round " + round, target3);
        }
    }

    private static double counter(String name) {
        var found = proxies.registry.find(name).counter();
        return found == null ? 0 : found.count();
    }

    private void crossTheSwitch(String what, KafkaClusterTestKit to) throws Exception {
        List<String> topics = List.of(topicOn(to), topicOn(to));
        ProduceFence fence = new ProduceFence();
        ProducerProxy proxy =
                proxies.start(TestProxies.settings(source.bootstrapServers(), to.bootstrapServers(), Map.of()), fence);
        List<Writer> writers = new ArrayList<>();
        try {
            writers.add(new Writer("l0", topics, producer(proxy, "0")));
            writers.add(new Writer("l5", topics, producer(proxy, "5")));
            writers.add(new Writer("l0b", topics, producer(proxy, "0")));
            writers.forEach(Writer::start);
            for (Writer w : writers) {
                Eventually.eventually(
                        what + ": " + w.name + " writes to the source",
                        Duration.ofSeconds(30),
                        () -> w.acked.get() >= 150);
            }
            fence.raise();
            Eventually.eventually("a produce request is held", Duration.ofSeconds(10), () -> proxy.heldRequests() > 0);
            proxy.switchToTarget(m -> {});
            fence.lower();
            proxy.releaseHeld();
            for (Writer w : writers) {
                int before = w.acked.get();
                Eventually.eventually(
                        what + ": " + w.name + " goes on writing after the switch",
                        Duration.ofSeconds(60),
                        () -> w.acked.get() >= before + 300 || !w.failures.isEmpty(),
                        () -> "failures " + w.failures);
            }
        } finally {
            for (Writer w : writers) {
                w.stop();
            }
            // Read before close: closing the proxy removes its meters.
            topicIdsRewritten += counter("strait.proxy.topic.ids.rewritten");
            proxy.close();
        }
        for (Writer w : writers) {
            assertThat(w.failures)
                    .as("%s: %s: every send succeeds", what, w.name)
                    .isEmpty();
        }
        for (String topic : topics) {
            Map<TopicPartition, List<String>> onSource = read(source.bootstrapServers(), topic);
            Map<TopicPartition, List<String>> onTarget = read(to.bootstrapServers(), topic);
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                for (Writer w : writers) {
                    List<String> both = new ArrayList<>(only(onSource.getOrDefault(tp, List.of()), w.name));
                    both.addAll(only(onTarget.getOrDefault(tp, List.of()), w.name));
                    assertThat(both)
                            .as("%s: %s %s: what was acked, once, in send order, source then target", what, w.name, tp)
                            .isEqualTo(w.ackedValues(tp));
                }
            }
        }
    }

    /** Sends to the topics' partitions in turn at a few hundred records a second, at most 200 unanswered. */
    private static final class Writer {
        final String name;
        final List<String> topics;
        final KafkaProducer<String, String> producer;
        final AtomicInteger acked = new AtomicInteger();
        final Map<TopicPartition, List<String>> ackedByPartition = new HashMap<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Semaphore window = new Semaphore(200);
        final Thread thread;

        Writer(String name, List<String> topics, KafkaProducer<String, String> producer) {
            this.name = name;
            this.topics = topics;
            this.producer = producer;
            this.thread = new Thread(this::run, "writer-" + name);
        }

        void start() {
            thread.start();
        }

        private void run() {
            for (int n = 0; !stop.get(); n++) {
                try {
                    window.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                TopicPartition tp = new TopicPartition(topics.get(n % topics.size()), (n / topics.size()) % PARTITIONS);
                String value = name + "-" + n;
                producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), name, value), (metadata, error) -> {
                    window.release();
                    if (error != null) {
                        failures.add(value + " to " + tp + ": " + error);
                    } else {
                        synchronized (ackedByPartition) {
                            ackedByPartition
                                    .computeIfAbsent(tp, x -> new ArrayList<>())
                                    .add(value);
                        }
                        acked.incrementAndGet();
                    }
                });
                if (n % 2 == 0) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join();
            producer.flush();
            producer.close(Duration.ofSeconds(30));
        }

        List<String> ackedValues(TopicPartition tp) {
            synchronized (ackedByPartition) {
                return List.copyOf(ackedByPartition.getOrDefault(tp, List.of()));
            }
        }
    }

    private static List<String> only(List<String> values, String writer) {
        return values.stream().filter(v -> v.startsWith(writer + "-")).toList();
    }

    private static String topicOn(KafkaClusterTestKit to) throws Exception {
        String topic = "first-landing-" + TOPICS.incrementAndGet();
        for (KafkaClusterTestKit cluster : List.of(source, to)) {
            try (Admin admin = cluster.admin()) {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                        .all()
                        .get();
            }
        }
        return topic;
    }

    private static KafkaProducer<String, String> producer(ProducerProxy proxy, String lingerMs) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapAddress());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Every value of the topic, per partition in offset order, read directly from the cluster. */
    private static Map<TopicPartition, List<String>> read(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<TopicPartition, List<String>> values = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(topic, p))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Eventually.eventually("the whole topic is read", Duration.ofSeconds(30), () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    values.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>())
                            .add(r.value());
                }
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
            });
        }
        return values;
    }
}

package strait.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.embedded.Eventually;
import strait.embedded.LibrdkafkaProducer;
import strait.embedded.SharedClusters;
import strait.proxy.internal.TargetProducerIdAllocator;

/**
 * Idempotent producers writing through the proxy across the switch, on real brokers: no failed send, every
 * acknowledged record once, in order, and nothing on the target under a source producer id. One source and one
 * target for the class, one proxy per test.
 */
class ProducerIdSwitchIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final int PARTITIONS = 3;
    private static TestProxies proxies;

    private ProducerProxy proxy;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void proxies() {
        proxies = new TestProxies();
    }

    @AfterAll
    static void closeProxies() {
        proxies.close();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    private ProducerProxy startProxy(ProduceHook hook) {
        proxy = proxies.start(
                TestProxies.settings(CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), Map.of()),
                hook);
        return proxy;
    }

    @Test
    void idempotentProducersCrossTheSwitchWithoutAFailedSendALossOrADuplicate() throws Exception {
        ProduceFence fence = new ProduceFence();
        startProxy(fence);
        String topic = topicOnBoth();
        // A producer of the target's own (as Strait's replicator writer is), holding a target-issued id equal to a
        // crossing producer's source id (the counters lined up): it must be able to go on writing after the switch.
        long nextSource = allocate(CLUSTERS.sourceBootstrapServers(), 1)[0] + 1;
        long nextTarget = allocate(CLUSTERS.targetBootstrapServers(), 1)[0] + 1;
        allocate(CLUSTERS.sourceBootstrapServers(), (int) Math.max(0, nextTarget - nextSource));
        allocate(CLUSTERS.targetBootstrapServers(), (int) Math.max(0, nextSource - nextTarget));
        long shared = Math.max(nextSource, nextTarget);
        KafkaProducer<String, String> native_ = track(directProducer(CLUSTERS.targetBootstrapServers()));
        for (int p = 0; p < PARTITIONS; p++) {
            native_.send(new ProducerRecord<>(topic, p, "native", "native-" + p))
                    .get();
        }

        List<Writer> writers = List.of(
                track(new Writer("batched", topic, producer(Map.of()))),
                track(new Writer("unlingered", topic, producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "0")))));
        writers.forEach(Writer::start);
        for (Writer w : writers) {
            Eventually.eventually(w.name + " writes to the source", Duration.ofSeconds(30), () -> w.acked.size() >= 60);
        }
        fence.raise();
        Eventually.eventually("a produce request is held", Duration.ofSeconds(10), () -> proxy.heldRequests() > 0);
        AtomicReference<ProducerIdMapping> persisted = new AtomicReference<>();

        ProducerIdMapping mapping = proxy.switchToTarget(persisted::set);

        fence.lower();
        proxy.releaseHeld();
        int ackedAtSwitch = writers.stream().mapToInt(w -> w.acked.size()).sum();
        for (Writer w : writers) {
            int before = w.acked.size();
            Eventually.eventually(
                    w.name + " goes on writing after the switch",
                    Duration.ofSeconds(60),
                    () -> w.acked.size() >= before + 150,
                    () -> "failures " + w.failures);
        }
        for (Writer w : writers) {
            w.stop();
        }
        native_.send(new ProducerRecord<>(topic, 0, "native", "native-after")).get();

        assertThat(persisted.get()).isEqualTo(mapping);
        assertThat(ProducerIdMapping.parse(mapping.toJson())).isEqualTo(mapping);
        for (Writer w : writers) {
            assertThat(w.failures).as(w.name + ": every send succeeds").isEmpty();
        }
        Map<TopicPartition, List<String>> onSource = read(CLUSTERS.sourceBootstrapServers(), topic);
        Map<TopicPartition, List<String>> onTarget = read(CLUSTERS.targetBootstrapServers(), topic);
        Set<Long> sourceIds = producerIds(CLUSTERS.clusters().sourceAdmin(), topic);
        assertThat(mapping.asMap().keySet())
                .as("every writer's source id is mapped")
                .containsAll(sourceIds);
        assertThat(sourceIds)
                .as("a writer's source id is the native producer's target id")
                .contains(shared);
        int ackedOnTarget = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            List<String> source = onSource.getOrDefault(tp, List.of());
            List<String> target = new ArrayList<>(onTarget.getOrDefault(tp, List.of()));
            assertThat(target.remove("native-" + p)).isTrue();
            target.remove("native-after");
            ackedOnTarget += target.size();
            for (Writer w : writers) {
                List<String> sent = w.ackedValues(p);
                List<String> both = new ArrayList<>(only(source, w.name));
                both.addAll(only(target, w.name));
                assertThat(both)
                        .as("%s partition %d: what was acked, once, in send order, source then target", w.name, p)
                        .isEqualTo(sent);
            }
        }
        assertThat(ackedOnTarget).as("records acked by the target").isPositive();
        assertThat(ackedOnTarget
                        + onSource.values().stream().mapToInt(List::size).sum())
                .isEqualTo(writers.stream().mapToInt(w -> w.acked.size()).sum())
                .isGreaterThan(ackedAtSwitch);

        Set<Long> nativeIds = new HashSet<>();
        Map<Long, List<ProducerState>> onTargetById = new HashMap<>();
        try (Admin admin = CLUSTERS.clusters().targetAdmin()) {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                for (ProducerState state : admin.describeProducers(List.of(tp))
                        .partitionResult(tp)
                        .get()
                        .activeProducers()) {
                    onTargetById
                            .computeIfAbsent(state.producerId(), id -> new ArrayList<>())
                            .add(state);
                }
            }
        }
        Set<Long> mappedTargets = Set.copyOf(mapping.asMap().values());
        onTargetById.keySet().stream().filter(id -> !mappedTargets.contains(id)).forEach(nativeIds::add);
        assertThat(nativeIds)
                .as("the only unmapped id on the target is the native producer's")
                .containsExactly(shared);
        for (long sourceId : sourceIds) {
            assertThat(onTargetById)
                    .as("mapped id of source id %d", sourceId)
                    .containsKey(mapping.targetOrNone(sourceId));
        }
        // The target took each crossing producer's sequences as they came: its last sequence on a partition is the
        // number of records that producer wrote there, on both clusters, less one.
        try (Admin admin = CLUSTERS.clusters().targetAdmin()) {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                List<Integer> lastSequences =
                        admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers().stream()
                                .filter(state -> mappedTargets.contains(state.producerId()))
                                .map(ProducerState::lastSequence)
                                .toList();
                int partition = p;
                List<Integer> expected = writers.stream()
                        .map(w -> w.ackedValues(partition).size() - 1)
                        .toList();
                assertThat(lastSequences).as("partition %d", p).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
        assertThat(proxies.registry
                        .get("strait.proxy.producer.ids.rewritten.batches")
                        .counter()
                        .count())
                .isPositive();
    }

    @Test
    void aTargetIdEqualToAMappedSourceIdIsNeverHandedToAClient() throws Exception {
        ProduceFence fence = new ProduceFence();
        startProxy(fence);
        String topic = topicOnBoth();
        // Line the counters up: the mapping takes target id S - 1, so the next id the target issues is S, the id
        // the source gave the crossing producer.
        long nextSource = allocate(CLUSTERS.sourceBootstrapServers(), 1)[0] + 1;
        long nextTarget = allocate(CLUSTERS.targetBootstrapServers(), 1)[0] + 1;
        long burnSource = Math.max(0, nextTarget + 1 - nextSource);
        allocate(CLUSTERS.sourceBootstrapServers(), (int) burnSource);
        long crossing = nextSource + burnSource;
        allocate(CLUSTERS.targetBootstrapServers(), (int) (crossing - 1 - nextTarget));

        KafkaProducer<String, String> a = track(producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "0")));
        a.send(new ProducerRecord<>(topic, 0, "a", "a-0")).get();
        assertThat(producerIds(CLUSTERS.clusters().sourceAdmin(), topic)).containsExactly(crossing);
        fence.raise();
        ProducerIdMapping mapping = proxy.switchToTarget(m -> {});
        fence.lower();
        proxy.releaseHeld();
        assertThat(mapping.asMap()).containsExactly(Map.entry(crossing, crossing - 1));

        a.send(new ProducerRecord<>(topic, 0, "a", "a-1")).get();
        KafkaProducer<String, String> c = track(producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "0")));
        c.send(new ProducerRecord<>(topic, 0, "c", "c-0")).get();
        a.send(new ProducerRecord<>(topic, 0, "a", "a-2")).get();
        c.send(new ProducerRecord<>(topic, 0, "c", "c-1")).get();

        assertThat(proxies.registry
                        .get("strait.proxy.producer.ids.collisions")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(1.0);
        assertThat(producerIds(CLUSTERS.clusters().targetAdmin(), topic))
                .as("the crossing producer under its mapped id, the new one under the id after the colliding one")
                .containsExactlyInAnyOrder(crossing - 1, crossing + 1);
        assertThat(read(CLUSTERS.targetBootstrapServers(), topic).get(new TopicPartition(topic, 0)))
                .containsExactly("a-1", "c-0", "a-2", "c-1");
    }

    @Test
    void aTransactionalProducerIsRefusedWithAFatalAuthorizationError() {
        startProxy(ProduceHook.FORWARD);
        KafkaProducer<String, String> producer = track(producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "tx-through-proxy",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                "20000")));

        assertThatThrownBy(producer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        assertThat(proxies.registry
                        .get("strait.proxy.transactional.refused")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void aRestartedProxyWithTheInstalledMappingRewritesTheSameWay() throws Exception {
        startProxy(ProduceHook.FORWARD);
        String topic = topicOnBoth();
        KafkaProducer<String, String> a = track(producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "0")));
        a.send(new ProducerRecord<>(topic, 0, "a", "a-0")).get();
        ProducerIdMapping prepared = proxy.prepareSwitch();
        String persisted = proxy.switchToTarget(m -> {}).toJson();
        assertThat(prepared.size()).isEqualTo(1);
        assertThat(ProducerIdMapping.parse(persisted))
                .as("nothing new to map at the switch")
                .isEqualTo(prepared);
        a.send(new ProducerRecord<>(topic, 0, "a", "a-1")).get();
        int port = Integer.parseInt(
                proxy.bootstrapAddress().substring(proxy.bootstrapAddress().lastIndexOf(':') + 1));
        proxy.close();

        proxy = new ProducerProxy(
                proxies.vertx,
                TestProxies.settings(
                        CLUSTERS.sourceBootstrapServers(),
                        CLUSTERS.targetBootstrapServers(),
                        Map.of("proxy.listen.port", String.valueOf(port))),
                ProduceHook.FORWARD,
                proxies.registry);
        proxy.installMapping(ProducerIdMapping.parse(persisted));
        proxy.router().switchTo(Cluster.TARGET);
        proxy.start();
        a.send(new ProducerRecord<>(topic, 0, "a", "a-2")).get();

        long mapped =
                ProducerIdMapping.parse(persisted).asMap().values().iterator().next();
        assertThat(producerIds(CLUSTERS.clusters().targetAdmin(), topic)).containsExactly(mapped);
        assertThat(read(CLUSTERS.targetBootstrapServers(), topic).get(new TopicPartition(topic, 0)))
                .containsExactly("a-1", "a-2");
    }

    @Test
    void aLibrdkafkaIdempotentProducerCrossesTheSwitchToo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        ProduceFence fence = new ProduceFence();
        startProxy(fence);
        String topic = topicOnBoth();
        try (LibrdkafkaProducer producer = LibrdkafkaProducer.start(proxy.bootstrapAddress(), topic, PARTITIONS, dir)) {
            Eventually.eventually(
                    "librdkafka writes to the source",
                    Duration.ofSeconds(30),
                    () -> producer.ackCount() >= 100,
                    producer::errorTail);
            fence.raise();
            Eventually.eventually("a produce request is held", Duration.ofSeconds(10), () -> proxy.heldRequests() > 0);
            ProducerIdMapping mapping = proxy.switchToTarget(m -> {});
            fence.lower();
            proxy.releaseHeld();
            assertThat(mapping.size()).isEqualTo(1);
            int atSwitch = producer.ackCount();
            Eventually.eventually(
                    "librdkafka goes on writing after the switch",
                    Duration.ofSeconds(60),
                    () -> producer.ackCount() >= atSwitch + 300,
                    producer::errorTail);
            assertThat(producer.stop())
                    .as("the producer flushed everything; %s", producer.errorTail())
                    .isZero();
            assertThat(producer.failures())
                    .as("every delivery report is a success; %s", producer.errorTail())
                    .isEmpty();
            Map<Integer, List<String>> acked = producer.acked();
            Map<TopicPartition, List<String>> onSource = read(CLUSTERS.sourceBootstrapServers(), topic);
            Map<TopicPartition, List<String>> onTarget = read(CLUSTERS.targetBootstrapServers(), topic);
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                List<String> both = new ArrayList<>(onSource.getOrDefault(tp, List.of()));
                both.addAll(onTarget.getOrDefault(tp, List.of()));
                assertThat(both)
                        .as("partition %d: what was acked, once, in send order, source then target", p)
                        .isEqualTo(acked.get(p));
                assertThat(onTarget.get(tp))
                        .as("partition %d reached the target", p)
                        .isNotEmpty();
            }
        }
        long mapped = proxy.producerIdMapping().asMap().values().iterator().next();
        assertThat(producerIds(CLUSTERS.clusters().targetAdmin(), topic)).containsExactly(mapped);
    }

    @Test
    void theAllocatorGivesEverySourceIdItsOwnFreshTargetId() {
        long[] sources = IntStream.range(0, 5_000).mapToLong(i -> 3L * i).toArray();
        long started = System.nanoTime();
        ProducerIdMapping mapping;
        try (TargetProducerIdAllocator allocator =
                new TargetProducerIdAllocator(Map.of("bootstrap.servers", CLUSTERS.targetBootstrapServers()))) {
            mapping = allocator.allocate(sources);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.err.println("allocated " + sources.length + " target producer ids in " + ms + " ms");

        assertThat(mapping.size()).isEqualTo(sources.length);
        assertThat(Set.copyOf(mapping.asMap().values())).hasSize(sources.length);
        assertThat(mapping.asMap().keySet())
                .containsExactlyElementsOf(
                        java.util.Arrays.stream(sources).boxed().toList());
    }

    // --- helpers

    /** Sends continuously, at most 100 unanswered, to partitions in turn; values are {@code name-n}. */
    private static final class Writer implements AutoCloseable {
        final String name;
        final String topic;
        final KafkaProducer<String, String> producer;
        final ConcurrentLinkedQueue<RecordMetadata> acked = new ConcurrentLinkedQueue<>();
        final Map<Integer, List<String>> ackedByPartition = new HashMap<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final Semaphore window = new Semaphore(100);
        final Thread thread;

        Writer(String name, String topic, KafkaProducer<String, String> producer) {
            this.name = name;
            this.topic = topic;
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
                int partition = n % PARTITIONS;
                String value = name + "-" + n;
                producer.send(new ProducerRecord<>(topic, partition, name, value), (metadata, error) -> {
                    window.release();
                    if (error != null) {
                        failures.add(value + ": " + error);
                    } else {
                        synchronized (ackedByPartition) {
                            ackedByPartition
                                    .computeIfAbsent(partition, p -> new ArrayList<>())
                                    .add(value);
                        }
                        acked.add(metadata);
                    }
                });
                if (n % 10 == 0) {
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

        @Override
        public void close() throws InterruptedException {
            stop();
        }

        List<String> ackedValues(int partition) {
            synchronized (ackedByPartition) {
                return List.copyOf(ackedByPartition.getOrDefault(partition, List.of()));
            }
        }
    }

    private static List<String> only(List<String> values, String writer) {
        return values.stream().filter(v -> v.startsWith(writer + "-")).toList();
    }

    private <C extends AutoCloseable> C track(C closeable) {
        closing.add(closeable);
        return closeable;
    }

    private static String topicOnBoth() throws Exception {
        String topic = "pid-switch-" + TOPICS.incrementAndGet();
        for (Admin admin :
                List.of(CLUSTERS.clusters().sourceAdmin(), CLUSTERS.clusters().targetAdmin())) {
            try (admin) {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)))
                        .all()
                        .get();
            }
        }
        return topic;
    }

    private static long[] allocate(String bootstrap, int count) {
        if (count <= 0) {
            return new long[0];
        }
        try (TargetProducerIdAllocator allocator =
                new TargetProducerIdAllocator(Map.of("bootstrap.servers", bootstrap))) {
            Map<Long, Long> ids = allocator
                    .allocate(IntStream.range(0, count).mapToLong(i -> i).toArray())
                    .asMap();
            return IntStream.range(0, count).mapToLong(i -> ids.get((long) i)).toArray();
        }
    }

    /** The producer ids active on the topic's partitions. */
    private static Set<Long> producerIds(Admin admin, String topic) throws Exception {
        Set<Long> ids = new HashSet<>();
        try (admin) {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers().stream()
                        .map(ProducerState::producerId)
                        .forEach(ids::add);
            }
        }
        return ids;
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

    private KafkaProducer<String, String> producer(Map<String, String> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapAddress());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putAll(extra);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaProducer<String, String> directProducer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}

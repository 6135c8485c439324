package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.embedded.Eventually;
import strait.embedded.SharedClusters;

/**
 * The gates over inputs read from two real KRaft clusters by a small probe (standing in for the replicator's and the
 * group sync's adapters, which the composition root provides): a backlog on the source holds {@code lag},
 * {@code topic-parity} and {@code resume-points}; copying it to the target opens them. The real replicator's
 * end-to-end version lives in deploy.
 */
class RealBrokersGatesIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    static final String TOPIC = "gates-it-orders";
    static final String GROUP = "gates-it-billing";

    final Clock clock = Clock.systemUTC();
    final AtomicReference<Optional<Refreshed<List<PartitionLag>>>> lag = new AtomicReference<>(Optional.empty());
    final AtomicReference<Optional<Refreshed<List<TopicParity>>>> parity = new AtomicReference<>(Optional.empty());
    final AtomicReference<Optional<Refreshed<List<ResumePoint>>>> resume = new AtomicReference<>(Optional.empty());
    final Map<Integer, Long> behindSinceMs = new ConcurrentHashMap<>();
    ScheduledExecutorService probe;
    Admin source;
    Admin target;
    GatesServer server;
    RawHttp http;

    @BeforeEach
    void start() throws Exception {
        source = CLUSTERS.clusters().sourceAdmin();
        target = CLUSTERS.clusters().targetAdmin();
        source.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        target.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        probe = Executors.newSingleThreadScheduledExecutor();
        probe.scheduleWithFixedDelay(this::refresh, 0, 200, TimeUnit.MILLISECONDS);
        server = new GatesServer(
                TestVertx.VERTX,
                new GatesSettings(
                        "127.0.0.1",
                        0,
                        Optional.empty(),
                        new GateThresholds(1_000, 60_000, 30_000, false),
                        Optional.empty(),
                        Duration.ofMillis(100)),
                new GateInputSources(lag::get, resume::get, parity::get, Translator.none())
                        .with(
                                ProducerProxyGate.STATE,
                                () -> Optional.of(Refreshed.of(ProxyState.NONE, clock.instant()))),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock);
        http = new RawHttp(server.start());
    }

    @AfterEach
    void stop() {
        server.close();
        probe.shutdownNow();
        source.close();
        target.close();
    }

    @Test
    void ready_is_503_naming_the_backlogged_partition_then_200_once_the_backlog_is_copied() throws Exception {
        produce(CLUSTERS.sourceBootstrapServers(), 0, 3_000);
        commit(GROUP, 0, 2_500);

        eventually("lag, parity and resume points to fail", () -> {
            RawHttp.Response r = http.get("/gates/ready");
            return r.status() == 503
                    && r.body().contains("outside the lag window")
                    && r.body().contains("partitions: source 2, target 1")
                    && r.body().contains(GROUP);
        });
        RawHttp.Response lagGate = http.get("/gates/lag");
        assertThat(lagGate.status()).isEqualTo(503);
        assertThat(lagGate.json().getString("reason")).contains(TOPIC + "-0 (3000 records");

        target.createPartitions(Map.of(TOPIC, NewPartitions.increaseTo(2)))
                .all()
                .get();
        copyAll(0);

        eventually("every gate to pass", () -> http.get("/gates/ready").status() == 200);
        assertThat(http.get("/offsets/groups/" + GROUP)
                        .json()
                        .getJsonArray("partitions")
                        .getJsonObject(0)
                        .getLong("targetOffset"))
                .isEqualTo(2_500L);
    }

    /** One probe round: real end offsets, partition counts and committed offsets. Probe thread only. */
    private void refresh() {
        try {
            List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            Map<TopicPartition, Long> sourceEnds = ends(source, partitions);
            int targetCount = target.describeTopics(List.of(TOPIC))
                    .allTopicNames()
                    .get()
                    .get(TOPIC)
                    .partitions()
                    .size();
            Map<TopicPartition, Long> targetEnds = ends(target, partitions.subList(0, targetCount));
            long now = clock.millis();
            List<PartitionLag> rows = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                long sourceEnd = sourceEnds.get(tp);
                long replicated = targetEnds.getOrDefault(tp, 0L);
                long behind = sourceEnd - replicated;
                long since = behind == 0 ? now : behindSinceMs.computeIfAbsent(tp.partition(), p -> now);
                if (behind == 0) {
                    behindSinceMs.remove(tp.partition());
                }
                rows.add(PartitionLag.running(
                        TOPIC, tp.partition(), sourceEnd, replicated, replicated, behind, now - since));
            }
            lag.set(Optional.of(Refreshed.of(rows, clock.instant())));
            parity.set(Optional.of(
                    Refreshed.of(List.of(new TopicParity(TOPIC, true, 2, targetCount, List.of())), clock.instant())));
            List<ResumePoint> points = new ArrayList<>();
            source.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .forEach((tp, om) -> {
                        long replicated = targetEnds.getOrDefault(tp, 0L);
                        points.add(
                                om.offset() <= replicated
                                        ? ResumePoint.exact(GROUP, tp.topic(), tp.partition(), om.offset(), om.offset())
                                        : ResumePoint.invalid(
                                                GROUP,
                                                tp.topic(),
                                                tp.partition(),
                                                om.offset(),
                                                "offset " + om.offset() + " not yet replicated (replicated position "
                                                        + replicated + ")"));
                    });
            resume.set(Optional.of(Refreshed.of(points, clock.instant())));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Map<TopicPartition, Long> ends(Admin admin, List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new java.util.HashMap<>();
        partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new java.util.HashMap<>();
        admin.listOffsets(specs).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static void produce(String bootstrap, int partition, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(TOPIC, partition, null, ("r" + i).getBytes()));
            }
            producer.flush();
        }
    }

    private void commit(String group, int partition, long offset) throws Exception {
        source.alterConsumerGroupOffsets(
                        group, Map.of(new TopicPartition(TOPIC, partition), new OffsetAndMetadata(offset)))
                .all()
                .get();
    }

    /** Stands in for the replicator: copies one source partition to the same target partition, in order. */
    private void copyAll(int partition) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, CLUSTERS.sourceBootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        long end = ends(source, List.of(tp)).get(tp);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
                KafkaProducer<byte[], byte[]> producer = producer(CLUSTERS.targetBootstrapServers())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Eventually.eventually("the copy of " + tp + " to finish", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, r.timestamp(), r.key(), r.value()));
                }
                return consumer.position(tp) >= end;
            });
            producer.flush();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(props);
    }

    private static void eventually(String what, Eventually.Condition condition) {
        Eventually.eventually(what, Duration.ofSeconds(60), condition);
    }
}

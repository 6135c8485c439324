package strait.gates.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.embedded.Eventually;
import strait.embedded.SharedClusters;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.Refreshed;

/**
 * The {@code capacity} gate over log directories read from two real KRaft clusters: a source topic with data and its
 * empty copy on the target. With the default headroom the target's disk holds it, with the numbers per directory;
 * with a headroom no disk has, the gate fails naming the directory and the numbers.
 */
class CapacityGateIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    static final String TOPIC = "capacity-it-orders";
    static final String UNCOPIED = "capacity-it-uncreated";
    static final int RECORDS = 2_000;

    @BeforeAll
    static void topics() throws Exception {
        try (Admin source = CLUSTERS.clusters().sourceAdmin();
                Admin target = CLUSTERS.clusters().targetAdmin()) {
            source.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic(UNCOPIED, 1, (short) 1)))
                    .all()
                    .get();
            target.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                    .all()
                    .get();
        }
        produce(TOPIC);
        produce(UNCOPIED);
    }

    @Test
    void passesWithEachTargetLogDirsNumbersWhenTheTargetHoldsWhatIsStillToCopyPlusTheDefaultHeadroom()
            throws Exception {
        CapacitySnapshot snapshot = read(Set.of(TOPIC));
        long sourceSize = sourceSize(TOPIC);

        GateResult result = new CapacityGate(20, 30_000).evaluate(inputs(snapshot), Instant.now());

        assertThat(result.passed()).as(result.reason()).isTrue();
        JsonObject dir = result.evidence().getJsonArray("logDirs").getJsonObject(0);
        assertThat(sourceSize).isPositive();
        assertThat(dir.getLong("bytesToCopy")).isEqualTo(sourceSize);
        assertThat(dir.getLong("requiredBytes")).isEqualTo((long) Math.ceil(sourceSize * 1.2));
        assertThat(dir.getLong("usableBytes")).isPositive();
        assertThat(dir.getLong("totalBytes")).isGreaterThanOrEqualTo(dir.getLong("usableBytes"));
        assertThat(dir.getString("path")).isNotEmpty();
        assertThat(result.evidence().getLong("unplacedBytes")).isZero();
    }

    @Test
    void failsNamingTheLogDirAndItsNumbersWhenTheHeadroomAsksForMoreThanTheTargetDiskHas() throws Exception {
        CapacitySnapshot snapshot = read(Set.of(TOPIC));

        GateResult result = new CapacityGate(1e12, 30_000).evaluate(inputs(snapshot), Instant.now());

        assertThat(result.passed()).isFalse();
        JsonObject dir = result.evidence().getJsonArray("logDirs").getJsonObject(0);
        assertThat(result.reason())
                .startsWith("target broker " + dir.getInteger("broker") + " log dir " + dir.getString("path") + ": "
                        + dir.getLong("usableBytes") + " bytes usable, needs " + dir.getLong("requiredBytes"))
                .contains(dir.getLong("bytesToCopy") + " bytes still to copy");
        assertThat(dir.getBoolean("enough")).isFalse();
    }

    @Test
    void countsAPartitionNotYetOnTheTargetAgainstAllTargetDirsTogether() throws Exception {
        CapacitySnapshot snapshot = read(Set.of(UNCOPIED));

        GateResult result = new CapacityGate(1e12, 30_000).evaluate(inputs(snapshot), Instant.now());

        assertThat(snapshot.unplacedBytes()).isEqualTo(sourceSize(UNCOPIED));
        assertThat(snapshot.targetDirs())
                .allSatisfy(d -> assertThat(d.bytesToCopy()).isZero());
        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).startsWith("all target log dirs together: ");
    }

    @Test
    void theRefresherPublishesSnapshotsFromItsOwnThread() {
        try (CapacityRefresher refresher = new CapacityRefresher(
                Map.of("bootstrap.servers", CLUSTERS.sourceBootstrapServers()),
                Map.of("bootstrap.servers", CLUSTERS.targetBootstrapServers()),
                () -> Set.of(TOPIC),
                Duration.ofMillis(200),
                Clock.systemUTC())) {
            assertThat(refresher.input().latest()).isEmpty();
            refresher.start();
            Eventually.eventually(
                    "a snapshot",
                    Duration.ofSeconds(20),
                    () -> refresher.input().latest().isPresent());
            CapacitySnapshot snapshot = refresher.input().latest().orElseThrow().value();
            assertThat(snapshot.problem()).isEmpty();
            assertThat(snapshot.partitions()).isEqualTo(1);
        }
    }

    private static CapacitySnapshot read(Set<String> topics) {
        try (ClusterPair clusters = ClusterPair.open(
                Map.of("bootstrap.servers", CLUSTERS.sourceBootstrapServers()),
                Map.of("bootstrap.servers", CLUSTERS.targetBootstrapServers()),
                "capacity-test")) {
            return new LogDirsReader(clusters).read(topics);
        }
    }

    private static GateInputs inputs(CapacitySnapshot snapshot) {
        return new GateInputs(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Map.of(CapacityGate.LOG_DIRS, Refreshed.of(snapshot, Instant.now())));
    }

    private static long sourceSize(String topic) throws Exception {
        try (Admin source = CLUSTERS.clusters().sourceAdmin()) {
            List<Integer> brokers = source.describeCluster().nodes().get().stream()
                    .map(n -> n.id())
                    .toList();
            return source.describeLogDirs(brokers).allDescriptions().get().values().stream()
                    .flatMap(dirs -> dirs.values().stream())
                    .map(d -> d.replicaInfos().get(new TopicPartition(topic, 0)))
                    .filter(r -> r != null)
                    .mapToLong(r -> r.size())
                    .max()
                    .orElse(0);
        }
    }

    private static void produce(String topic) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, CLUSTERS.sourceBootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, new byte[100]));
            }
            producer.flush();
        }
    }
}

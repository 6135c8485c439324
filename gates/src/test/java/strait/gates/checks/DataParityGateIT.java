package strait.gates.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.embedded.Eventually;
import strait.embedded.SharedClusters;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.Refreshed;
import strait.gates.TranslationResult;
import strait.gates.Translator;

/**
 * The {@code data-parity} gate over records sampled from two real KRaft clusters. The offset map is the one Strait
 * would hold after copying 100 records one for one (source offset n at target offset n); the target's topic is
 * written here, once as a faithful copy and once with a record written behind Strait's back in the middle.
 */
class DataParityGateIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    static final int RECORDS = 100;
    static final int SAMPLES = 16;
    static final Translator ONE_FOR_ONE = (topic, partition, offset) -> new TranslationResult.Exact(offset);

    @Test
    void passesWhenEverySampledRecordIsTheSameOnBothClustersAndReadsOnlyTheSamples() throws Exception {
        String topic = "parity-it-faithful";
        topics(topic);
        write(CLUSTERS.sourceBootstrapServers(), topic, RECORDS, -1);
        write(CLUSTERS.targetBootstrapServers(), topic, RECORDS, -1);

        ParitySnapshot snapshot = sampleOnce(topic);
        GateResult result = new DataParityGate(30_000, 60_000).evaluate(inputs(snapshot), Instant.now());

        assertThat(result.passed()).as(result.reason()).isTrue();
        assertThat(snapshot.partitionsChecked()).isEqualTo(1);
        assertThat(snapshot.samplesCompared()).isEqualTo(SAMPLES);
        assertThat(snapshot.recordsRead())
                .as("one record per sample on each cluster")
                .isEqualTo(2L * SAMPLES);
    }

    @Test
    void aRecordWrittenToTheTargetBehindStraitsBackFailsItNamingTheOffsets() throws Exception {
        String topic = "parity-it-foreign";
        topics(topic);
        write(CLUSTERS.sourceBootstrapServers(), topic, RECORDS, -1);
        // Target: the first 50 copied, then someone else's record at 50, then the rest one offset later.
        write(CLUSTERS.targetBootstrapServers(), topic, RECORDS, 50);

        ParitySnapshot snapshot = sampleOnce(topic);
        GateResult result = new DataParityGate(30_000, 60_000).evaluate(inputs(snapshot), Instant.now());

        assertThat(result.passed()).isFalse();
        assertThat(snapshot.mismatches())
                .isNotEmpty()
                .allSatisfy(m -> assertThat(m.sourceOffset()).isGreaterThanOrEqualTo(50));
        ParityMismatch first = snapshot.mismatches().get(0);
        assertThat(first.targetOffset()).isEqualTo(first.sourceOffset());
        assertThat(result.reason())
                .contains(topic + "-0 source offset " + first.sourceOffset() + " (target offset " + first.targetOffset()
                        + "): key differs");
        assertThat(result.evidence().getJsonArray("mismatches").getJsonObject(0).getLong("sourceOffset"))
                .isEqualTo(first.sourceOffset());
        assertThat(snapshot.samplesCompared() - snapshot.mismatches().size())
                .as("samples below 50 match")
                .isPositive();
    }

    @Test
    void aTargetThatDoesNotAnswerInTimeIsUnreadableNotADifference() throws Exception {
        String topic = "parity-it-slow";
        topics(topic);
        write(CLUSTERS.sourceBootstrapServers(), topic, RECORDS, -1);
        write(CLUSTERS.targetBootstrapServers(), topic, RECORDS, -1);
        // Fetches the target holds back longer than a sample read waits: as a paused or moving leader answers.
        Map<String, Object> slowTarget = Map.of(
                "bootstrap.servers",
                CLUSTERS.targetBootstrapServers(),
                "fetch.min.bytes",
                64 * 1024 * 1024,
                "fetch.max.wait.ms",
                30_000);

        ParitySnapshot snapshot = sampleOnce(topic, slowTarget);
        GateResult result = new DataParityGate(30_000, 60_000).evaluate(inputs(snapshot), Instant.now());

        assertThat(snapshot.mismatches()).isEmpty();
        assertThat(snapshot.problem())
                .hasValueSatisfying(p -> assertThat(p).contains("the target did not return " + topic + "-0 offset 0"));
        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).startsWith("cannot sample records").doesNotContain("differ");
    }

    private static ParitySnapshot sampleOnce(String topic) {
        ParitySnapshot snapshot = sampleOnce(topic, Map.of("bootstrap.servers", CLUSTERS.targetBootstrapServers()));
        assertThat(snapshot.problem()).isEmpty();
        return snapshot;
    }

    private static ParitySnapshot sampleOnce(String topic, Map<String, Object> targetProps) {
        try (ParitySampler sampler = new ParitySampler(
                Map.of("bootstrap.servers", CLUSTERS.sourceBootstrapServers()),
                targetProps,
                () -> Map.of(new TopicPartition(topic, 0), (long) RECORDS),
                ONE_FOR_ONE,
                SAMPLES,
                Duration.ofHours(1),
                Clock.systemUTC())) {
            sampler.start();
            Eventually.eventually(
                    "one round",
                    Duration.ofSeconds(60),
                    () -> sampler.input().latest().isPresent());
            return sampler.input().latest().orElseThrow().value();
        }
    }

    private static GateInputs inputs(ParitySnapshot snapshot) {
        return new GateInputs(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Map.of(DataParityGate.SAMPLES, Refreshed.of(snapshot, Instant.now())));
    }

    private static void topics(String topic) throws Exception {
        try (Admin source = CLUSTERS.clusters().sourceAdmin();
                Admin target = CLUSTERS.clusters().targetAdmin()) {
            source.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get();
            target.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get();
        }
    }

    /** Records 0..count-1 (same key, value, header and timestamp wherever written); a foreign one before {@code foreignAt}. */
    private static void write(String bootstrap, String topic, int count, int foreignAt) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                if (i == foreignAt) {
                    producer.send(new ProducerRecord<>(topic, 0, 1_000L, "intruder", "not from the source"))
                            .get();
                }
                RecordHeaders headers = new RecordHeaders();
                headers.add("trace", ("t" + i).getBytes());
                producer.send(new ProducerRecord<>(topic, 0, 1_700_000_000_000L + i, "k" + i, "v" + i, headers))
                        .get();
            }
        }
    }
}

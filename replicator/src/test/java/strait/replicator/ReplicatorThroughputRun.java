package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.replicator.Fixtures.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;
import strait.offsets.OffsetMapStore;
import strait.offsets.OffsetMaps;

/**
 * A first throughput figure: copies {@code strait.bench.records} (default 1M) records of 512 B from a pre-filled
 * source topic of 4 partitions, timed from {@link Replicator#start()} returning to the status showing lag 0
 * (records copied before that are not counted; the status refreshes every second, so the time is rounded up).
 * Runs only with {@code -Dstrait.bench=true}, and only when named (no *IT or *Test suffix: a benchmark, not part of
 * the test suite); the command is in benchmarks/README.md.
 */
@EnabledIfSystemProperty(named = "strait.bench", matches = "true")
class ReplicatorThroughputRun {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    @Test
    void copiesOneMillionRecordsOf512Bytes() throws Exception {
        int records = Integer.getInteger("strait.bench.records", 1_000_000);
        int size = 512;
        String topic = "bench-512";
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(admin, topic, 4, Map.of());
        }
        byte[] value = new byte[size];
        new Random(1).nextBytes(value);
        try (KafkaProducer<byte[], byte[]> producer =
                producer(CLUSTERS.sourceBootstrapServers(), Map.of("linger.ms", 20, "batch.size", 512 * 1024))) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, i % 4, null, value));
            }
        }
        StraitConfig config = StraitConfig.parse(config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "bench-link"));
        try (OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
                Replicator replicator = new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry())) {
            replicator.start();
            long started = System.nanoTime();
            // Records copied while start() ran (after its status refresh) are left out of the rate.
            long before = replicator.status().partitions().stream()
                    .mapToLong(PartitionStatus::replicated)
                    .sum();
            awaitCaughtUp("all copied", Duration.ofMinutes(10), replicator::status, topic, 4);
            double seconds = (System.nanoTime() - started) / 1e9;
            long copied = replicator.status().partitions().stream()
                    .mapToLong(PartitionStatus::replicated)
                    .sum();
            assertThat(copied).isEqualTo(records);
            long timed = records - before;
            System.out.printf(
                    "THROUGHPUT %d records of %d B in %.1f s: %.0f records/s, %.1f MiB/s (values only)%n",
                    timed, size, seconds, timed / seconds, timed * (double) size / seconds / (1 << 20));
        }
    }
}

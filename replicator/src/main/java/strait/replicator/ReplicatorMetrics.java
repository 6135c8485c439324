package strait.replicator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The replicator's meters (names in docs/HELPERS-CONTRACT.md). Per-partition meters are created once, when the
 * partition is first seen (admin worker), and cached so the sender's hot path only increments. Any thread.
 */
final class ReplicatorMetrics {

    /** The names of the meters {@link #register} creates per partition. */
    private static final java.util.Set<String> PARTITION_METERS = java.util.Set.of(
            "strait.lag.records",
            "strait.lag.ms",
            "strait.queue.depth.records",
            "strait.partition.stopped",
            "strait.replicated.records",
            "strait.replicated.bytes");

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> latencyByTopic = new ConcurrentHashMap<>();

    ReplicatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counters of one partition, held by the sender. */
    record PartitionMeters(Counter records, Counter bytes, Timer latency) {}

    PartitionMeters register(PartitionState ps) {
        TopicPartition tp = ps.tp;
        Tags tags = Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition()));
        Gauge.builder("strait.lag.records", ps, p -> p.lagRecords)
                .tags(tags)
                .description("Source end minus replicated position, per partition")
                .register(registry);
        Gauge.builder("strait.lag.ms", ps, p -> p.lagMs)
                .tags(tags)
                .description("Age of the oldest unreplicated record, per partition")
                .register(registry);
        Gauge.builder("strait.queue.depth.records", ps, p -> p.recordsInFlight.get())
                .tags(tags)
                .description("Records fetched and not yet acked by the target")
                .register(registry);
        Gauge.builder("strait.partition.stopped", ps, p -> p.state() == PartitionRunState.STOPPED ? 1 : 0)
                .tags(tags)
                .description("1 while the partition is stopped for a reason")
                .register(registry);
        Counter records = Counter.builder("strait.replicated.records")
                .tags(tags)
                .description("Records acked by the target")
                .register(registry);
        Counter bytes = Counter.builder("strait.replicated.bytes")
                .tags(tags)
                .description("Key, value and header bytes acked by the target")
                .register(registry);
        Timer latency = latencyByTopic.computeIfAbsent(
                tp.topic(),
                topic -> Timer.builder("strait.replication.latency")
                        .tag("topic", topic)
                        .description("Source record timestamp to target ack")
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofHours(1))
                        .register(registry));
        return new PartitionMeters(records, bytes, latency);
    }

    /** Removes the per-partition meters of a partition no longer copied (its source topic was deleted). */
    void unregister(PartitionState ps) {
        String topic = ps.tp.topic();
        String partition = Integer.toString(ps.tp.partition());
        registry.getMeters().stream()
                .filter(m -> PARTITION_METERS.contains(m.getId().getName()))
                .filter(m -> topic.equals(m.getId().getTag("topic"))
                        && partition.equals(m.getId().getTag("partition")))
                .toList()
                .forEach(registry::remove);
    }

    /**
     * Counts one source batch by what became of it: {@code path} {@code byte} (forwarded as its bytes), {@code record}
     * (decoded and encoded again, {@code reason} saying why) or {@code none} (dropped: aborted, empty).
     */
    void batch(String path, String reason) {
        batches(path, reason, 1);
    }

    /** Counts {@code n} source batches that took {@code path} for {@code reason}. */
    void batches(String path, String reason, int n) {
        registry.counter("strait.batches", "path", path, "reason", reason).increment(n);
    }

    /** Counts the bytes of a batch the target acked, by the path it took. */
    void written(String path, long bytes) {
        registry.counter("strait.written.bytes", "path", path).increment(bytes);
    }

    /** Counts one error; {@code side} is source, target or link. */
    void error(String kind, String side) {
        registry.counter("strait.errors", "kind", kind, "side", side).increment();
    }

    /**
     * The byte path's fetch responses by where their receive buffer came from ({@code outcome} {@code reused} or
     * {@code allocated}; responses under {@value ReceiveBufferPool#MIN_POOLED} bytes are not counted).
     */
    void receiveBuffers(String fetcher, ReceiveBufferPool pool) {
        FunctionCounter.builder("strait.fetch.buffers", pool.reused, AtomicLong::get)
                .tag("fetcher", fetcher)
                .tag("outcome", "reused")
                .register(registry);
        FunctionCounter.builder("strait.fetch.buffers", pool.allocated, AtomicLong::get)
                .tag("fetcher", fetcher)
                .tag("outcome", "allocated")
                .register(registry);
    }
}

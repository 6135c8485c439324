package strait.offsets;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.StraitConfig;
import strait.config.TopicScope;

/**
 * Every {@code groups.sync.interval.ms}: reads the committed offsets of each source group matching {@code groups},
 * translates them exactly ({@link GroupTranslator}), commits them to the target group while it is empty or absent
 * ({@link GroupSyncer}), writes MM2 checkpoints ({@link CheckpointWriter}) and publishes an immutable
 * {@link GroupOffsetsSnapshot}.
 *
 * <p>Threads: all Admin and producer calls run on the worker's own thread ({@code strait-groups}). {@link #snapshot}
 * and {@link #translate} are for any thread (the HTTP event loop included): they never block. {@link #start} and
 * {@link #close} are for the owner.
 */
public final class GroupOffsetsWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsetsWorker.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final StraitConfig config;
    private final OffsetMaps maps;
    private final MeterRegistry registry;
    private final long intervalMs;
    private final Set<TopicPartition> gauged = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strait-groups");
        t.setDaemon(true);
        return t;
    });
    private volatile GroupOffsetsSnapshot snapshot = GroupOffsetsSnapshot.EMPTY;
    // Owned by the worker thread.
    private Admin source;
    private Admin target;
    private GroupTranslator translator;
    private GroupSyncer syncer;
    private CheckpointWriter checkpoints;
    private String lastError;

    /** A stopped worker; {@link #start} begins the rounds. No client is created before the first round. */
    public GroupOffsetsWorker(StraitConfig config, OffsetMaps maps, MeterRegistry registry) {
        this.config = config;
        this.maps = maps;
        this.registry = registry;
        this.intervalMs = config.getLong(StraitConfig.GROUPS_SYNC_INTERVAL_MS);
    }

    /** Starts the rounds: the first one now, then one every {@code groups.sync.interval.ms}. Owner only. */
    public void start() {
        executor.scheduleWithFixedDelay(this::roundSafely, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** The latest translated offsets of every in-scope group. Any thread; never blocks. */
    public GroupOffsetsSnapshot snapshot() {
        return snapshot;
    }

    /** One group's latest translated offsets, or empty when out of scope or unknown. Any thread; never blocks. */
    public Optional<GroupOffsets> group(String groupId) {
        return snapshot.group(groupId);
    }

    /** Translates one committed source offset now, from the live maps (no Admin call). Any thread; never blocks. */
    public Translation translate(TopicPartition tp, long committedSourceOffset) {
        return maps.translate(tp, committedSourceOffset);
    }

    /** Runs a round now on the worker thread (for the cutover, which syncs every group exactly before switching). */
    public CompletableFuture<GroupOffsetsSnapshot> refreshNow() {
        return CompletableFuture.supplyAsync(
                () -> {
                    round();
                    return snapshot;
                },
                executor);
    }

    private void roundSafely() {
        try {
            round();
            lastError = null;
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            registry.counter("strait.errors", "kind", "group-round", "side", "both")
                    .increment();
            if (!message.equals(lastError)) {
                LOG.warn("group offsets round failed, keeping the previous snapshot: {}", message);
            }
            lastError = message;
        }
    }

    private void round() {
        openClients();
        registerMapGauges();
        List<GroupOffsets> translated = translator.translateAll();
        Map<String, GroupOffsets> byGroup = new HashMap<>();
        for (GroupSyncer.Outcome outcome : syncer.sync(translated)) {
            GroupOffsets group = outcome.group();
            byGroup.put(group.group(), group);
            if (outcome.committed() > 0) {
                Counter.builder("strait.group.offsets.synced")
                        .tag("group", group.group())
                        .register(registry)
                        .increment(outcome.committed());
            }
            if (outcome.failureKind() != null) {
                Counter.builder("strait.group.sync.failures")
                        .tag("group", group.group())
                        .tag("reason", outcome.failureKind())
                        .register(registry)
                        .increment();
            }
            if (group.sync().failed()
                    && !snapshot.group(group.group()).map(GroupOffsets::sync).equals(Optional.of(group.sync()))) {
                // Logged when the failure starts or changes; the previous snapshot holds the last one.
                LOG.warn(
                        "group {} not synced to the target: {}",
                        group.group(),
                        group.sync().reason());
            }
        }
        checkpoints.write(translated);
        snapshot = new GroupOffsetsSnapshot(java.time.Instant.now(), byGroup);
    }

    private void openClients() {
        if (translator != null) {
            return;
        }
        if (source == null) {
            source = Admin.create(config.sourceClientProps());
            target = Admin.create(config.targetClientProps());
        }
        if (checkpoints == null) {
            checkpoints = CheckpointWriter.open(target, config.targetClientProps(), config.linkName(), ADMIN_TIMEOUT);
        }
        syncer = new GroupSyncer(target, ADMIN_TIMEOUT);
        // The same scope the replicator copies by: every copied topic's groups are translated.
        translator = new GroupTranslator(source, target, maps, config.groups(), TopicScope.of(config), ADMIN_TIMEOUT);
    }

    private void registerMapGauges() {
        maps.snapshot().forEach((tp, map) -> {
            if (gauged.add(tp)) {
                Gauge.builder(
                                "strait.offset.map.runs",
                                maps,
                                m -> m.get(tp).map(OffsetMap::runCount).orElse(0))
                        .tag("topic", tp.topic())
                        .tag("partition", String.valueOf(tp.partition()))
                        .register(registry);
            }
        });
    }

    /** Stops the rounds and closes the clients. Owner only; idempotent. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("group offsets worker did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (checkpoints != null) {
            checkpoints.close();
        }
        if (source != null) {
            source.close(Duration.ofSeconds(5));
        }
        if (target != null) {
            target.close(Duration.ofSeconds(5));
        }
    }
}

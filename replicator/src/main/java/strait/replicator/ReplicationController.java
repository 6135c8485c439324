package strait.replicator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.offsets.OffsetMap;
import strait.offsets.OffsetMapStore;
import strait.offsets.OffsetMaps;

/**
 * The admin worker's logic: topic discovery and provisioning, reconciliation of new and failed partitions, and
 * stopping partitions; and the status snapshot, on a thread of its own, so a slow discovery or reconciliation never
 * makes {@code /status} and the gates stale.
 *
 * <p>Threads: {@link #refreshTopics} and {@link #reconcileDue} on the admin worker thread; {@link #refreshStatus} on
 * the status thread, which writes only the partitions' end and lag fields and {@link #status}, and reads what the
 * admin worker publishes ({@link #topicSync}, the partitions map); the {@code on*}/{@link #stop} callbacks may come from
 * any thread and only touch volatile state and the copy path's commands ({@link CopyPath#unassign}).
 */
final class ReplicationController implements SourceFetcher.StopListener, BatchingSender.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationController.class);
    private static final long OFFSETS_WARNING_INTERVAL_MS = 60_000;
    private static final long OFFSETS_TIMEOUT_MS = 10_000;

    private final TopicProvisioner provisioner;
    private final TailReconciler reconciler;
    private final Admin sourceAdmin;
    private final Admin targetAdmin;
    private final OffsetMaps maps;
    private final OffsetMapStore store;
    private final ReplicatorMetrics metrics;
    private final Map<TopicPartition, OffsetMap> loaded;
    private final ConcurrentHashMap<TopicPartition, PartitionState> partitions = new ConcurrentHashMap<>();
    private final Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters;
    private CopyPath copyPath;

    /** The last topic discovery's outcome: written by the admin worker, read by the status thread. */
    private record TopicSync(List<TopicParity> parity, Instant at, boolean failing) {}

    private volatile TopicSync topicSync = new TopicSync(List.of(), Instant.EPOCH, false);
    /** Rate limit of the offsets warning, shared by both threads (a lost update only logs once more). */
    private volatile long lastOffsetsWarningMillis;

    // Admin worker only.
    /**
     * The id of each source topic when this link first saw it (persisted, so it survives restarts), and why the
     * topics whose id changed are not copied.
     */
    private final Map<String, Uuid> topicIds;

    private final Map<String, String> recreatedTopics = new HashMap<>();
    private volatile ReplicatorStatus status = ReplicatorStatus.EMPTY;

    ReplicationController(
            TopicProvisioner provisioner,
            TailReconciler reconciler,
            Admin sourceAdmin,
            Admin targetAdmin,
            OffsetMaps maps,
            OffsetMapStore store,
            ReplicatorMetrics metrics,
            Map<TopicPartition, OffsetMap> loaded,
            Map<String, Uuid> loadedTopicIds,
            Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters) {
        this.provisioner = provisioner;
        this.reconciler = reconciler;
        this.sourceAdmin = sourceAdmin;
        this.targetAdmin = targetAdmin;
        this.maps = maps;
        this.store = store;
        this.metrics = metrics;
        this.loaded = new HashMap<>(loaded);
        this.topicIds = new HashMap<>(loadedTopicIds);
        this.meters = meters;
    }

    void copyPath(CopyPath copyPath) {
        this.copyPath = copyPath;
    }

    ReplicatorStatus status() {
        return status;
    }

    // ------------------------------------------------------------------ admin worker

    /** Discovers and provisions topics, registers new partitions, reconciles them. */
    void refreshTopics() {
        refreshTopics(provisioner::sync);
    }

    /**
     * As {@link #refreshTopics()}, with the discovery and provisioning given: at start-up that ran on this worker
     * while the starting thread fenced the link and loaded the maps (it writes no record, so it need not wait for
     * them), and this applies its outcome once they are loaded.
     */
    void refreshTopics(Callable<TopicProvisioner.Result> sync) {
        TopicProvisioner.Result result;
        try {
            result = sync.call();
        } catch (Exception e) {
            TopicSync last = topicSync;
            topicSync = new TopicSync(last.parity(), last.at(), true);
            metrics.error(Failures.kind(e), "link");
            LOG.warn("topic refresh failed, retrying: {}", Failures.describe(e));
            return;
        }
        List<TopicParity> parity = result.parity();
        topicSync = new TopicSync(parity, Instant.now(), false);
        forgetDeletedTopics(result.sourceTopicIds());
        noteRecreatedTopics(result.sourceTopicIds());
        Map<String, TopicParity> byTopic = parity.stream().collect(Collectors.toMap(TopicParity::topic, p -> p));
        for (PartitionState ps : partitions.values()) {
            ControllerDecisions.stopForParity(byTopic.get(ps.tp.topic()), ps.state())
                    .ifPresent(reason -> stop(ps, "topic_parity", "target", reason));
        }
        Set<String> newTopics = new TreeSet<>(result.writable().keySet());
        partitions.keySet().forEach(tp -> newTopics.remove(tp.topic()));
        if (!newTopics.isEmpty()) {
            // Their partitions are reconciled first: the copy path finds their leaders meanwhile.
            copyPath.prepare(newTopics);
        }
        result.writable().forEach((topic, count) -> {
            TargetLimits limits = result.limits().getOrDefault(topic, TargetLimits.NONE);
            for (int p = 0; p < count; p++) {
                PartitionState state = partitions.computeIfAbsent(new TopicPartition(topic, p), tp -> {
                    PartitionState ps = new PartitionState(tp);
                    meters.put(ps, metrics.register(ps));
                    LOG.info("replicating {}", tp);
                    return ps;
                });
                state.limits = limits;
                String recreated = recreatedTopics.get(topic);
                if (recreated != null) {
                    stop(state, "source_recreated", "source", recreated);
                }
            }
        });
        readSourceLogStarts();
        reconcileDue();
    }

    /**
     * A source topic that no longer exists is no longer copied nor reported (so it does not hold the gates); its
     * target copy and offset map stay, and should a topic of that name come back with the same id, it resumes from
     * that map after reconciliation. Missing from the listing is not proof (Kafka hides the topics a principal may not
     * describe): the source is asked about each such topic by name, and only "unknown topic" forgets it; a denied
     * Describe stops its partitions (they must not silently drop out of the gates), anything else keeps them for the
     * next refresh.
     */
    private void forgetDeletedTopics(Map<String, Uuid> sourceTopicIds) {
        Set<String> missing = new TreeSet<>();
        partitions.keySet().forEach(tp -> {
            if (!sourceTopicIds.containsKey(tp.topic())) {
                missing.add(tp.topic());
            }
        });
        if (missing.isEmpty()) {
            return;
        }
        for (String topic : missing) {
            try {
                if (!reconciler.sourceHasTopic(topic)) {
                    forget(topic);
                }
            } catch (TopicAuthorizationException e) {
                partitionsOf(topic)
                        .forEach(ps -> stop(
                                ps,
                                "authorization",
                                "source",
                                "source topic " + topic + " is no longer listed and describing it is not authorized: "
                                        + Failures.describe(e)));
            } catch (KafkaException e) {
                LOG.debug("could not ask the source about topic {}: {}", topic, Failures.describe(e));
            }
        }
    }

    private void forget(String topic) {
        for (PartitionState ps : partitionsOf(topic)) {
            partitions.remove(ps.tp);
            ps.stop("the source topic no longer exists"); // chunks still in flight are dropped
            copyPath.unassign(ps.tp);
            OffsetMap map = ps.map();
            if (map != null) {
                loaded.put(ps.tp, map);
            }
            metrics.unregister(ps);
            meters.remove(ps);
        }
        LOG.warn(
                "source topic {} no longer exists: no longer copied or reported; its target topic and offset map are "
                        + "kept",
                topic);
    }

    private List<PartitionState> partitionsOf(String topic) {
        return partitions.values().stream()
                .filter(ps -> ps.tp.topic().equals(topic))
                .toList();
    }

    /**
     * A source topic whose id changed was deleted and created again: its offsets started over, while the target and
     * the offset map hold the old topic's records. Copying on would mix the two, so its partitions stop.
     */
    private void noteRecreatedTopics(Map<String, Uuid> sourceTopicIds) {
        sourceTopicIds.forEach((topic, id) -> {
            Uuid known = topicIds.putIfAbsent(topic, id);
            if (known == null) {
                store.persistSourceTopicId(topic, id);
            } else if (!known.equals(id) && !recreatedTopics.containsKey(topic)) {
                recreatedTopics.put(
                        topic,
                        "source topic " + topic + " was deleted and created again (topic id " + known
                                + ", now " + id
                                + "): its offsets started over, and the target topic and offset map hold the "
                                + "old topic's records; copy it again under a new link.name, or into a new target topic");
                partitionsOf(topic).forEach(ps -> stop(ps, "source_recreated", "source", recreatedTopics.get(topic)));
            }
        });
    }

    /** Where retention has moved each source partition's start: the sender trims the maps below it. */
    private void readSourceLogStarts() {
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitions.keySet().forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
        ends(sourceAdmin, earliest, IsolationLevel.READ_UNCOMMITTED, "source")
                .forEach((tp, start) -> partitions.get(tp).sourceLogStart = start);
    }

    /** Reconciles every partition that is new or whose send failed and whose backoff has passed. */
    void reconcileDue() {
        long now = System.currentTimeMillis();
        List<PartitionState> due = partitions.values().stream()
                .filter(ps -> ControllerDecisions.dueForReconcile(ps.state(), ps.nextReconcileAtMillis, now))
                .sorted(Comparator.comparing((PartitionState ps) -> ps.tp.topic())
                        .thenComparing(ps -> ps.tp.partition()))
                .toList();
        if (due.isEmpty()) {
            return;
        }
        Map<TopicPartition, TailReconciler.Bounds> bounds;
        try {
            bounds = reconciler.bounds(due.stream().map(ps -> ps.tp).toList());
        } catch (RuntimeException e) {
            metrics.error(Failures.kind(e), "link");
            long backoff = due.stream().mapToLong(this::backOff).max().orElse(0);
            LOG.warn(
                    "reading the log bounds of {} partitions to reconcile failed, retrying in {} ms: {}",
                    due.size(),
                    backoff,
                    Failures.describe(e));
            return;
        }
        for (PartitionState ps : due) {
            reconcile(ps, bounds.get(ps.tp));
        }
    }

    /** Postpones the partition's next reconciliation, longer after each failure; returns the delay in ms. */
    private long backOff(PartitionState ps) {
        int failures = ++ps.reconcileFailures;
        long backoff = ControllerDecisions.backoffMs(ControllerDecisions.RECONCILE_BACKOFF_BASE_MS, failures);
        ps.nextReconcileAtMillis = System.currentTimeMillis() + backoff;
        return backoff;
    }

    private void reconcile(PartitionState ps, TailReconciler.Bounds bounds) {
        ps.reconciling();
        int epoch = ps.nextEpoch();
        copyPath.unassign(ps.tp);
        OffsetMap start = ps.map() != null ? ps.map() : loaded.remove(ps.tp);
        TailReconciler.Outcome outcome;
        try {
            outcome = reconciler.reconcile(ps.tp, start, bounds);
        } catch (RuntimeException e) {
            metrics.error(Failures.kind(e), "link");
            if (start != null && ps.map() == null) {
                loaded.put(ps.tp, start);
            }
            LOG.warn("reconciling {} failed, retrying in {} ms: {}", ps.tp, backOff(ps), Failures.describe(e));
            return;
        }
        if (outcome instanceof TailReconciler.Outcome.Stop stop) {
            stop(ps, "reconciliation", "target", stop.reason());
            return;
        }
        TailReconciler.Outcome.Resume resume = (TailReconciler.Outcome.Resume) outcome;
        OffsetMap map = resume.map();
        maps.put(ps.tp, map);
        store.persist(ps.tp, map);
        ps.reconcileFailures = 0;
        ps.running(map);
        if (ps.state() == PartitionRunState.RUNNING) {
            copyPath.assign(ps, map.replicatedPosition(), epoch);
            LOG.info(
                    "{} resumes at source offset {} / target offset {} ({} target records paired)",
                    ps.tp,
                    map.replicatedPosition(),
                    map.targetPosition(),
                    resume.paired());
        }
    }

    /** Status thread: reads end offsets on both sides and publishes a new snapshot. */
    void refreshStatus() {
        TopicSync sync = topicSync;
        List<PartitionState> all = new ArrayList<>(partitions.values());
        Map<PartitionState, Idle> idleBefore = idle(all);
        // The snapshot is as fresh as the moment its ends were asked for, not when the answers came.
        Instant readAt = Instant.now();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        all.forEach(ps -> latest.put(ps.tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> sourceEnds = ends(sourceAdmin, latest, IsolationLevel.READ_COMMITTED, "source");
        Map<TopicPartition, Long> targetEnds = ends(targetAdmin, latest, IsolationLevel.READ_UNCOMMITTED, "target");
        catchForeignWrites(idleBefore, targetEnds);
        long now = System.currentTimeMillis();
        List<PartitionStatus> rows = new ArrayList<>(all.size());
        for (PartitionState ps : all) {
            ps.sourceEnd = sourceEnds.getOrDefault(ps.tp, ps.sourceEnd);
            ps.targetEnd = targetEnds.getOrDefault(ps.tp, ps.targetEnd);
            OffsetMap map = ps.map();
            long replicated = map == null ? -1 : map.replicatedPosition();
            long lag = ps.sourceEnd < 0 ? 0 : Math.max(0, ps.sourceEnd - Math.max(0, replicated));
            if (lag > 0 && ps.lagRecords == 0) {
                ps.lagSinceMillis = now;
            }
            ps.lagRecords = lag;
            if (lag == 0) {
                ps.lagMs = 0;
            } else {
                long oldest = ps.oldestInFlightTimestamp();
                ps.lagMs = oldest >= 0
                        ? Math.max(0, now - oldest)
                        : Math.max(0, now - Math.max(ps.lastAdvanceMillis, ps.lagSinceMillis));
            }
            rows.add(ps.status());
        }
        rows.sort(Comparator.comparing(PartitionStatus::topic).thenComparingInt(PartitionStatus::partition));
        // Lag is only as fresh as the last round that read both ends of every partition still being copied: a round
        // that missed one keeps the previous time, so lasting failures make the lag gate stale, not falsely green.
        boolean complete = all.stream()
                .filter(ps -> ps.state() != PartitionRunState.STOPPED)
                .allMatch(ps -> sourceEnds.containsKey(ps.tp) && targetEnds.containsKey(ps.tp));
        status = new ReplicatorStatus(
                complete ? readAt : status.refreshedAt(),
                rows,
                sync.parity(),
                sync.failing() || sync.at().equals(Instant.EPOCH) ? sync.at() : readAt);
    }

    /** A quiet partition's map and its target position, before the target's end is read. */
    private record Idle(OffsetMap map, long position) {}

    /** Each RUNNING partition that has nothing in flight. */
    private static Map<PartitionState, Idle> idle(List<PartitionState> all) {
        Map<PartitionState, Idle> idle = new HashMap<>();
        for (PartitionState ps : all) {
            OffsetMap map = ps.map();
            if (ps.state() == PartitionRunState.RUNNING && map != null && ps.chunksInFlight() == 0) {
                idle.put(ps, new Idle(map, map.targetPosition()));
            }
        }
        return idle;
    }

    /**
     * A quiet partition's target end past this link's position, with nothing of the link's in flight before and after
     * reading it, was written by someone else; the sender only notices at its next ack, which on a quiet partition may
     * be long after. (A failed send keeps its chunks in flight until the partition is handed to reconciliation.)
     */
    private void catchForeignWrites(Map<PartitionState, Idle> idleBefore, Map<TopicPartition, Long> targetEnds) {
        idleBefore.forEach((ps, before) -> {
            Long end = targetEnds.get(ps.tp);
            OffsetMap map = ps.map();
            // The same map as before: one a reconciliation put in meanwhile (on the admin worker) proves nothing.
            if (map == before.map()
                    && ControllerDecisions.foreignWrite(before.position(), end, ps.state(), ps.chunksInFlight(), map)) {
                stop(
                        ps,
                        "foreign_write",
                        "target",
                        Failures.describe(ForeignWriteException.atEnd(ps.tp, before.position(), end)));
            }
        });
    }

    private Map<TopicPartition, Long> ends(
            Admin admin, Map<TopicPartition, OffsetSpec> request, IsolationLevel isolation, String side) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        if (request.isEmpty()) {
            return ends;
        }
        // One deadline for the whole request, not one per partition: partitions that cannot be answered (a topic just
        // deleted) must not hold the admin worker, and the discovery that notices the deletion, for minutes.
        ListOffsetsResult result =
                admin.listOffsets(request, new ListOffsetsOptions(isolation).timeoutMs((int) OFFSETS_TIMEOUT_MS));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(OFFSETS_TIMEOUT_MS);
        request.keySet().forEach(tp -> {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                ends.put(
                        tp,
                        result.partitionResult(tp)
                                .get(left, java.util.concurrent.TimeUnit.NANOSECONDS)
                                .offset());
            } catch (Exception e) {
                metrics.error(Failures.kind(e), side);
                long now = System.currentTimeMillis();
                if (now - lastOffsetsWarningMillis > OFFSETS_WARNING_INTERVAL_MS) {
                    lastOffsetsWarningMillis = now;
                    LOG.warn(
                            "cannot read the {} offsets of {} (logged at most once a minute): {}",
                            side,
                            tp,
                            Failures.describe(e));
                }
            }
        });
        return ends;
    }

    // ------------------------------------------------------------------ any thread

    @Override
    public void stop(PartitionState ps, String kind, String side, String reason) {
        if (ps.stop(reason)) {
            metrics.error(kind, side);
            LOG.error("stopped replicating {}: {}", ps.tp, reason);
        }
        copyPath.unassign(ps.tp);
    }

    /** Sender thread. */
    @Override
    public void sendFailed(PartitionState ps, Throwable error) {
        String kind = Failures.kind(error);
        if (Failures.action(error) == Failures.Action.STOP) {
            stop(ps, kind, "target", "send to the target failed: " + Failures.describe(error));
            return;
        }
        metrics.error(kind, "target");
        int failures = ++ps.reconcileFailures;
        long backoff = ControllerDecisions.backoffMs(ControllerDecisions.SEND_BACKOFF_BASE_MS, failures);
        ps.nextReconcileAtMillis = System.currentTimeMillis() + backoff;
        if (ps.requestReconcile()) {
            LOG.warn("send to {} failed ({}), reconciling in {} ms", ps.tp, Failures.describe(error), backoff);
        }
    }

    /** Sender thread: the retry is the sender's; the error is counted like any other. */
    @Override
    public void sendRetried(PartitionState ps, Throwable error) {
        metrics.error(Failures.kind(error), "target");
        LOG.debug("send to {} failed ({}), retrying", ps.tp, Failures.describe(error));
    }

    /** Sender thread. */
    @Override
    public void fenced(String reason) {
        for (PartitionState ps : partitions.values()) {
            stop(ps, "fenced", "link", reason);
        }
    }

    /** Sender thread, as it ends. */
    @Override
    public void senderFailed(String reason) {
        for (PartitionState ps : partitions.values()) {
            stop(ps, "sender_failed", "target", reason);
        }
    }
}

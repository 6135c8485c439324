package strait.cutover;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;

/**
 * The cutover of one link: the state machine that moves its producers from the source to the target, and the one
 * owner of the link's {@link CutoverRecord}.
 *
 * <p>{@code MIRRORING → FENCING → VERIFYING_FENCE → DRAINING → SYNCING → SWITCHING → SWITCHED}. Every step before
 * {@code SWITCHING} that fails, times out ({@code cutover.fence.max.ms} from raising the fence) or is rolled back
 * aborts to {@code MIRRORING}: the fence is lowered and the held requests go to the source, so nothing is lost. The
 * record is saved on the target as each step starts (the fence goes up only once {@code FENCING} is saved) and at the
 * point of no return (after the producer ids are prepared, before replication stops), so a sidecar restarted mid-run
 * aborts a run that had not reached that point, naming its step, and completes one that had.
 *
 * <p>Threads: the run happens on the cutover's own thread ({@code strait-cutover}), which alone writes the record
 * and calls {@link LinkControls}. {@link #begin}, {@link #rollback} and {@link #view} are for any thread, the HTTP
 * event loop included: they never block; a rollback is a request the run honours at its next check.
 */
public final class Cutover implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Cutover.class);
    private static final int SWITCH_ATTEMPTS = 5;
    private static final long SWITCH_RETRY_MS = 500;
    /** A catch-up round this short leaves little more than this much of writes to drain under the fence. */
    private static final Duration CAUGHT_UP_ROUND = Duration.ofMillis(100);
    /** Catch-up rounds at most, however much each shortens the next. */
    private static final int CATCH_UP_ROUNDS = 10;
    /** How often the consumer groups' commits are read while waiting for them: an Admin round trip per group. */
    private static final Duration CONSUMER_POLL = Duration.ofMillis(50);

    /** Told of every state a run enters, on the cutover thread; for tests that act at a given step. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = state -> {};

        void entering(CutoverState state);
    }

    /** The answer to {@link #begin} or {@link #rollback}: accepted, or refused with why. */
    public record Answer(boolean accepted, String message) {}

    private final CutoverStore store;
    private final LinkControls controls;
    private final CutoverSettings settings;
    private final Clock clock;
    private final CutoverEvidence evidence;
    private final Listener listener;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strait-cutover");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile String abortRequest;
    /** Whether the running run's abort request came from an operator's rollback (a rehearsal), not a stop. */
    private volatile boolean rollbackRequested;

    private volatile CutoverRecord current;
    /** When the running run raised its fence, for {@link #view}; null while nothing is held. */
    private volatile Instant fencedAtPublished;
    /** Whether the running run saved its point of no return: from then on it cannot be rolled back. */
    private volatile boolean committed;
    /** Makes "a rollback is requested" and "the run passed its point of no return" exclude each other. */
    private final Object commitLock = new Object();
    // Owned by the cutover thread during a run.
    private Instant fencedAt;
    private int mapped;
    /** The consumer groups this run moves; their rejoins are held at the proxy. Cutover thread. */
    private Set<String> moved = Set.of();
    /** Whether the proxy was asked to move consumer groups in this run: an abort hands them back. Cutover thread. */
    private boolean consumersMoving;

    private Cutover(
            CutoverStore store,
            CutoverRecord loaded,
            LinkControls controls,
            CutoverSettings settings,
            Clock clock,
            Listener listener) {
        this.store = store;
        this.current = loaded;
        this.controls = controls;
        this.settings = settings;
        this.clock = clock;
        this.evidence = new CutoverEvidence(settings.evidenceFile());
        this.listener = listener;
    }

    /**
     * Takes over the link's cutover as {@code loaded} from the store left it. A run that a stopped sidecar left before
     * the switch is aborted now (its held requests died with that process; their producers sent them again, to the
     * source, through this one) and the abort saved. A run at or past the switch stays: the caller has started the
     * proxy towards the target and calls {@link #completeSwitch}.
     */
    public static Cutover resume(
            CutoverStore store,
            Optional<CutoverRecord> loaded,
            LinkControls controls,
            CutoverSettings settings,
            Clock clock,
            Listener listener) {
        Objects.requireNonNull(store, "store");
        CutoverRecord record = loaded.orElseGet(() -> CutoverRecord.initial(clock.instant()));
        Cutover cutover = new Cutover(store, record, controls, settings, clock, listener);
        if (record.state().inProgress() && !record.state().pastSwitch()) {
            CutoverState at = record.state();
            CutoverRecord aborted = record.runningStep()
                    .map(step -> record.stepEnded(step.ended(
                            clock.instant(), false, "the sidecar stopped during this step", new JsonObject())))
                    .orElse(record)
                    .ended(
                            CutoverState.MIRRORING,
                            clock.instant(),
                            record.dryRun() ? "dry-run-failed" : "aborted",
                            "the sidecar stopped during " + at + "; aborted at restart, producers write to the source",
                            record.heldMs());
            store.save(aborted);
            cutover.current = aborted;
            cutover.evidence.ended(aborted);
        }
        return cutover;
    }

    /** Whether the link's producers have been moved (or are being moved) to the target: never copy into it then. */
    public boolean switched() {
        return current.state().pastSwitch();
    }

    /** The producer-id mapping the proxy must keep using after the switch; empty before. */
    public String producerIds() {
        return current.producerIds();
    }

    /** The latest record. Any thread; never blocks. */
    public CutoverRecord record() {
        return current;
    }

    /** {@code GET /cutover}: the record with what is held at the proxy right now. Any thread; never blocks. */
    public JsonObject view() {
        CutoverRecord record = current;
        JsonObject json = record.toJson();
        json.remove("producerIds");
        Instant fenced = fencedAtPublished;
        if (fenced != null) {
            json.put("heldMs", clock.millis() - fenced.toEpochMilli());
        }
        return json.put("heldRequests", controls.heldRequests());
    }

    /**
     * Starts a run on the cutover thread; {@code dryRun} runs every check without fencing or switching. Refused while
     * a run is going on or once the link has switched. Any thread; never blocks.
     */
    public Answer begin(boolean dryRun) {
        CutoverState state = current.state();
        if (state.pastSwitch()) {
            return new Answer(false, "the link switched to the target at " + current.since() + "; nothing to cut over");
        }
        if (!running.compareAndSet(false, true)) {
            return new Answer(false, "a cutover is already running (state " + current.state() + ")");
        }
        abortRequest = null;
        rollbackRequested = false;
        try {
            thread.execute(() -> {
                try {
                    run(dryRun);
                } finally {
                    running.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            running.set(false);
            return new Answer(false, "the sidecar is stopping");
        }
        return new Answer(true, (dryRun ? "dry run" : "cutover") + " run " + (current.run() + 1) + " started");
    }

    /**
     * Asks the running run to abort at its next check. Refused when none runs or once the run has saved its point of no
     * return (in {@code SWITCHING}, after the producer ids are prepared). Any thread.
     */
    public Answer rollback(String why) {
        synchronized (commitLock) {
            if (current.state() == CutoverState.SWITCHED || committed) {
                return new Answer(
                        false,
                        "the link switched to the target at " + current.since()
                                + "; a rollback after the switch means moving producers back by hand "
                                + "(docs/cutover.md)");
            }
            if (!running.get()) {
                return new Answer(false, "no cutover is running");
            }
            abortRequest = why;
            rollbackRequested = true;
        }
        return new Answer(true, "rollback requested; the run aborts at its next check");
    }

    /**
     * After a restart in {@code SWITCHING}: the caller started the proxy towards the target and did not start
     * replication; records the switch as done. Composition root's thread.
     */
    public void completeSwitch() {
        CutoverRecord record = current;
        if (record.state() != CutoverState.SWITCHING) {
            return;
        }
        Instant now = clock.instant();
        CutoverRecord done = record.runningStep()
                .map(step -> record.stepEnded(step.ended(
                        now, true, "completed after a restart: the proxy forwards to the target", new JsonObject())))
                .orElse(record)
                .ended(CutoverState.SWITCHED, now, "switched", "switched; completed after a restart", record.heldMs());
        store.save(done);
        current = done;
        evidence.ended(done);
    }

    // ------------------------------------------------------------------------------------------- the run (its thread)

    /** A step that cannot pass: the run aborts with this reason. */
    private static final class StepFailed extends Exception {
        private final JsonObject numbers;

        StepFailed(String reason, JsonObject numbers) {
            super(reason, null, false, false);
            this.numbers = numbers;
        }
    }

    private void run(boolean dryRun) {
        CutoverRecord previous = current;
        Instant start = clock.instant();
        current = new CutoverRecord(
                previous.run() + 1,
                CutoverState.MIRRORING,
                start,
                dryRun,
                "running",
                "",
                java.util.List.of(),
                0,
                previous.producerIds(),
                previous.rehearsals());
        fencedAt = null;
        fencedAtPublished = null;
        committed = false;
        moved = Set.of();
        consumersMoving = false;
        try {
            fence(dryRun);
            Instant deadline = (fencedAt == null ? clock.instant() : fencedAt).plus(settings.fenceMax());
            Map<TopicPartition, Long> ends = verifyFence(dryRun, deadline);
            drain(dryRun, ends, deadline);
            Instant movingFrom = clock.instant();
            moved = moveConsumers(dryRun, ends);
            // The consumers' step has its own bound; the steps after it keep what was left of the fence's.
            deadline = deadline.plus(Duration.between(movingFrom, clock.instant()));
            syncGroups(deadline);
            if (dryRun) {
                finish(CutoverState.MIRRORING, "dry-run-passed", "every check passed; nothing was fenced or switched");
                return;
            }
            prepareSwitch(deadline);
        } catch (StepFailed f) {
            abort(f.getMessage(), f.numbers);
            return;
        } catch (RuntimeException e) {
            abort(ErrorText.describe(e), new JsonObject());
            return;
        }
        switchNow();
    }

    /**
     * Starts a step. Outside a dry run the record is saved first, so a sidecar restarted mid-run names the step it
     * stopped in (one acknowledged write on the target, a few milliseconds, per step).
     */
    private void enter(CutoverState state) throws StepFailed {
        checkAbort();
        CutoverRecord next = current.entering(state, clock.instant());
        if (!next.dryRun() && state != CutoverState.SWITCHING) {
            // Saved before it is published: GET /cutover never shows a step a restart would not know of.
            store.save(next);
        }
        current = next;
        listener.entering(state);
        checkAbort();
    }

    private void pass(String detail, JsonObject numbers) {
        CutoverStep step = current.runningStep().orElseThrow().ended(clock.instant(), true, detail, numbers);
        current = current.stepEnded(step);
        evidence.record(current.run(), current.dryRun(), step);
    }

    private void checkAbort() throws StepFailed {
        String why = abortRequest;
        if (why != null) {
            throw new StepFailed(why, new JsonObject());
        }
    }

    private void checkDeadline(Instant deadline, String waitingFor, JsonObject numbers) throws StepFailed {
        checkAbort();
        if (clock.instant().isAfter(deadline)) {
            throw new StepFailed(
                    "cutover.fence.max.ms (" + settings.fenceMax().toMillis() + " ms) passed while " + waitingFor,
                    numbers);
        }
    }

    private void fence(boolean dryRun) throws StepFailed {
        enter(CutoverState.FENCING);
        if (dryRun) {
            pass("dry run: the fence is not raised", new JsonObject().put("heldRequests", controls.heldRequests()));
            return;
        }
        // Ids of the producers seen so far get their target ids now, while nothing is held; the switch maps only
        // those that appear under the fence.
        mapped = controls.prepareProducerIds().count();
        CaughtUp caughtUp = catchUp();
        long consumersCaughtUpMs = catchUpConsumers();
        // Saved (by enter) before the fence goes up: a sidecar restarted from here on knows a run was under way.
        controls.raiseFence();
        fencedAt = clock.instant();
        fencedAtPublished = fencedAt;
        pass(
                "replication caught up with the source in " + caughtUp.millis() + " ms (" + caughtUp.rounds()
                        + " rounds)"
                        + (consumersCaughtUpMs > 0
                                ? ", the consumer groups reading through the proxy in " + consumersCaughtUpMs + " ms"
                                : "")
                        + ", then new produce requests were held at the proxy",
                new JsonObject()
                        .put("fenceMaxMs", settings.fenceMax().toMillis())
                        .put("caughtUpMs", caughtUp.millis())
                        .put("catchUpRounds", caughtUp.rounds())
                        .put("consumersCaughtUpMs", consumersCaughtUpMs)
                        .put("producerIdsPrepared", mapped));
    }

    /**
     * Before the fence goes up, waits (writes flowing) until replication has caught up with the source, in rounds: each
     * round waits until replication is within {@code cutover.fence.lag.max.records} of the source's end offsets as
     * they were when the round started. The drain under the fence is what arrives during the last round, so rounds go
     * on while they get shorter, until one takes at most {@link #CAUGHT_UP_ROUND} or {@link #CATCH_UP_ROUNDS} have
     * run: the write pause then does not grow with a lag the replicator had anyway. The first round must end within
     * {@code cutover.fence.max.ms}; a later one that would pass it ends the wait instead (replication is close
     * already).
     *
     * @return how long it waited, in ms, and the rounds it took
     */
    private CaughtUp catchUp() throws StepFailed {
        Instant start = clock.instant();
        Instant deadline = start.plus(settings.fenceMax());
        long lastRoundMs = Long.MAX_VALUE;
        int rounds = 0;
        while (rounds < CATCH_UP_ROUNDS) {
            Instant roundStart = clock.instant();
            if (!catchUpRound(controls.sourceEndOffsets(), deadline, rounds == 0)) {
                break;
            }
            rounds++;
            long roundMs = Duration.between(roundStart, clock.instant()).toMillis();
            if (roundMs <= CAUGHT_UP_ROUND.toMillis() || roundMs >= lastRoundMs) {
                break;
            }
            lastRoundMs = roundMs;
        }
        return new CaughtUp(Duration.between(start, clock.instant()).toMillis(), rounds);
    }

    /** Ends waited for before the fence ({@link #catchUp}): how long and in how many rounds. */
    private record CaughtUp(long millis, int rounds) {}

    /**
     * Waits until replication is within {@code cutover.fence.lag.max.records} of {@code ends}.
     *
     * @return false when {@code deadline} passed first and {@code mustReach} is false
     */
    private boolean catchUpRound(Map<TopicPartition, Long> ends, Instant deadline, boolean mustReach)
            throws StepFailed {
        while (true) {
            Map<TopicPartition, Long> positions = controls.replicatedPositions();
            Map<TopicPartition, Long> behind = new TreeMap<>(Cutover::compare);
            ends.forEach((tp, end) -> {
                long position = positions.getOrDefault(tp, -1L);
                if (position < end) {
                    behind.put(tp, end - Math.max(0, position));
                }
            });
            long lag = behind.values().stream().mapToLong(Long::longValue).sum();
            if (lag <= settings.fenceLagMaxRecords()) {
                return true;
            }
            if (!mustReach && clock.instant().isAfter(deadline)) {
                checkAbort();
                return false;
            }
            checkDeadline(
                    deadline,
                    "waiting, before fencing, for replication to catch up with the source: still behind "
                            + describe(behind),
                    new JsonObject().put("behind", behind.size()));
            sleep();
        }
    }

    private Map<TopicPartition, Long> verifyFence(boolean dryRun, Instant deadline) throws StepFailed {
        enter(CutoverState.VERIFYING_FENCE);
        long verifyMs = settings.fenceVerify().toMillis();
        Map<TopicPartition, Long> first = controls.sourceEndOffsets();
        Map<TopicPartition, Long> last = first;
        Instant stableSince = clock.instant();
        Map<TopicPartition, Long> moved = new TreeMap<>(Cutover::compare);
        // A request forwarded before the fence may still land however still the end offsets look: the stillness
        // counts only from when the source has answered every one of them.
        int owed = dryRun ? 0 : controls.produceRequestsOwedBySource();
        int mostOwed = owed;
        while (true) {
            long stableMs = Duration.between(stableSince, clock.instant()).toMillis();
            if (stableMs >= verifyMs && owed == 0) {
                break;
            }
            JsonObject numbers = new JsonObject()
                    .put("partitions", last.size())
                    .put("moved", moved.size())
                    .put("produceRequestsOwedBySource", owed);
            if (!dryRun) {
                checkDeadline(
                        deadline,
                        owed > 0
                                ? owed + " produce requests forwarded to the source before the fence were still "
                                        + "unanswered (the source is slow to acknowledge)"
                                : "source end offsets kept moving under the fence: " + describe(moved)
                                        + " (a producer writes around the proxy, or a transaction is still being "
                                        + "written)",
                        numbers);
            } else {
                checkAbort();
            }
            sleep();
            if (!dryRun) {
                owed = controls.produceRequestsOwedBySource();
                mostOwed = Math.max(mostOwed, owed);
                if (owed > 0) {
                    stableSince = clock.instant();
                }
            }
            Map<TopicPartition, Long> now = controls.sourceEndOffsets();
            if (!now.equals(last)) {
                for (Map.Entry<TopicPartition, Long> e : now.entrySet()) {
                    Long before = last.get(e.getKey());
                    if (before == null || !before.equals(e.getValue())) {
                        moved.merge(e.getKey(), e.getValue() - (before == null ? 0 : before), Long::sum);
                    }
                }
                last = now;
                if (!dryRun) {
                    stableSince = clock.instant();
                }
            }
        }
        JsonObject numbers = new JsonObject()
                .put("partitions", last.size())
                .put("verifyMs", verifyMs)
                .put("partitionsThatMoved", moved.size())
                .put("produceRequestsAwaited", mostOwed)
                .put("offsetsEndedAt", endsJson(last));
        if (dryRun) {
            pass(
                    "dry run: " + moved.size() + " of " + last.size() + " partitions moved during " + verifyMs
                            + " ms; under the fence none may",
                    numbers);
        } else {
            pass(
                    "every replicated source partition's end offset stayed still for " + verifyMs + " ms after the "
                            + "source answered every produce request sent before the fence ("
                            + last.size() + " partitions; " + moved.size()
                            + " moved first as requests sent before the fence landed)",
                    numbers);
        }
        return last;
    }

    private void drain(boolean dryRun, Map<TopicPartition, Long> ends, Instant deadline) throws StepFailed {
        enter(CutoverState.DRAINING);
        while (true) {
            Map<TopicPartition, String> stopped = controls.stoppedPartitions();
            Map<TopicPartition, String> blocking = new TreeMap<>(Cutover::compare);
            stopped.forEach((tp, why) -> {
                if (ends.containsKey(tp)) {
                    blocking.put(tp, why);
                }
            });
            if (!blocking.isEmpty()) {
                throw new StepFailed(
                        "stopped partitions cannot be drained: "
                                + blocking.entrySet().stream()
                                        .limit(10)
                                        .map(e -> e.getKey() + " (" + e.getValue() + ")")
                                        .collect(Collectors.joining(", ")),
                        new JsonObject().put("stopped", blocking.size()));
            }
            Map<TopicPartition, Long> positions = controls.replicatedPositions();
            Map<TopicPartition, Long> behind = new TreeMap<>(Cutover::compare);
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                long position = positions.getOrDefault(e.getKey(), -1L);
                if (position < e.getValue()) {
                    behind.put(e.getKey(), e.getValue() - Math.max(0, position));
                    lag += e.getValue() - Math.max(0, position);
                }
            }
            JsonObject numbers = new JsonObject()
                    .put("partitions", ends.size())
                    .put("behind", behind.size())
                    .put("lagRecords", lag);
            if (behind.isEmpty()) {
                pass("replication reached the fenced end offset of all " + ends.size() + " partitions", numbers);
                return;
            }
            if (dryRun) {
                pass(
                        "dry run: " + behind.size() + " partitions are " + lag
                                + " offsets behind; under the fence they " + "must reach 0",
                        numbers);
                return;
            }
            checkDeadline(deadline, "replication drained: still behind " + describe(behind), numbers);
            sleep();
        }
    }

    /**
     * Moves the consumer groups that read through the proxy: waits until each has committed up to the fenced end
     * offsets (its members read everything there is), then has the proxy make every member let go of its partitions
     * and waits until each has, all within {@code cutover.consumers.max.ms}. A group that does not get there is
     * named, with the partitions or members it waits for, and the run aborts (the members carry on on the source).
     * A dry run reports how far the groups are and moves nothing.
     *
     * @return the groups moved (their rejoins are held until the switch)
     */
    private Set<String> moveConsumers(boolean dryRun, Map<TopicPartition, Long> ends) throws StepFailed {
        enter(CutoverState.MOVING_CONSUMERS);
        Map<String, Map<String, String>> groups = controls.proxiedGroups();
        JsonObject numbers = new JsonObject()
                .put("groups", new JsonArray(groups.keySet().stream().sorted().toList()))
                .put("members", groups.values().stream().mapToInt(Map::size).sum())
                .put("consumersMaxMs", settings.consumersMax().toMillis());
        if (groups.isEmpty()) {
            pass("no consumer group reads through the proxy", numbers);
            return Set.of();
        }
        Instant deadline = clock.instant().plus(settings.consumersMax());
        Set<String> names = new TreeSet<>(groups.keySet());
        Instant start = clock.instant();
        while (true) {
            Map<String, Map<TopicPartition, String>> behind = notCommitted(controls.uncommitted(names, ends));
            numbers.put("groupsBehind", behind.size());
            if (dryRun) {
                pass(
                        "dry run: " + (names.size() - behind.size()) + " of " + names.size() + " groups reading "
                                + "through the proxy have committed up to the source's end offsets; under the fence "
                                + "each must, then let go of its partitions"
                                + (behind.isEmpty() ? "" : ": behind now " + describeGroups(behind)),
                        numbers);
                return Set.of();
            }
            if (behind.isEmpty()) {
                break;
            }
            checkConsumersDeadline(
                    deadline,
                    "waiting for the consumer groups to commit up to the fenced end offsets: " + describeGroups(behind),
                    numbers);
            sleepFor(CONSUMER_POLL);
        }
        long committedMs = Duration.between(start, clock.instant()).toMillis();
        consumersMoving = true;
        controls.moveConsumers(names);
        while (true) {
            Map<String, Map<String, String>> holding = controls.membersHolding(names);
            numbers.put("groupsHolding", holding.size());
            if (holding.isEmpty()) {
                break;
            }
            checkConsumersDeadline(
                    deadline,
                    "waiting for the consumers to let go of their partitions (a consumer does at its next heartbeat "
                            + "and poll; one that connects to the source directly never does): "
                            + describeGroups(holding),
                    numbers);
            sleepFor(CONSUMER_POLL);
        }
        long letGoMs = Duration.between(start, clock.instant()).toMillis() - committedMs;
        numbers.put("committedMs", committedMs).put("letGoMs", letGoMs);
        pass(
                names.size() + " consumer groups committed up to the fenced end offsets in " + committedMs
                        + " ms and their members let go of their partitions in " + letGoMs
                        + " ms; they rejoin on the target at the switch",
                numbers);
        return names;
    }

    /** How far each group is from committing up to the end, per partition, in words. */
    private static Map<String, Map<TopicPartition, String>> notCommitted(Map<String, Map<TopicPartition, Long>> lag) {
        Map<String, Map<TopicPartition, String>> words = new TreeMap<>();
        lag.forEach((group, partitions) -> {
            Map<TopicPartition, String> described = new TreeMap<>(Cutover::compare);
            partitions.forEach((tp, n) -> described.put(tp, n + " records not committed"));
            words.put(group, described);
        });
        return words;
    }

    /**
     * Before the fence goes up (writes flowing), waits until the consumer groups that read through the proxy have
     * committed to within {@code cutover.fence.lag.max.records} of the source's end offsets as they are now, so that
     * under the fence they only have the last moments to read. Bounded by {@code cutover.consumers.max.ms}; never
     * fails (the step under the fence decides).
     *
     * @return how long it waited, in ms
     */
    private long catchUpConsumers() throws StepFailed {
        Instant start = clock.instant();
        Set<String> groups = controls.proxiedGroups().keySet();
        if (groups.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, Long> ends = controls.sourceEndOffsets();
        Instant deadline = start.plus(settings.consumersMax());
        while (true) {
            long lag = controls.uncommitted(groups, ends).values().stream()
                    .flatMap(p -> p.values().stream())
                    .mapToLong(Long::longValue)
                    .sum();
            if (lag <= settings.fenceLagMaxRecords() || clock.instant().isAfter(deadline)) {
                return Duration.between(start, clock.instant()).toMillis();
            }
            checkAbort();
            sleepFor(CONSUMER_POLL);
        }
    }

    private void checkConsumersDeadline(Instant deadline, String waitingFor, JsonObject numbers) throws StepFailed {
        checkAbort();
        if (clock.instant().isAfter(deadline)) {
            throw new StepFailed(
                    "cutover.consumers.max.ms (" + settings.consumersMax().toMillis() + " ms) passed while "
                            + waitingFor,
                    numbers);
        }
    }

    private static String describeGroups(Map<String, ? extends Map<?, String>> groups) {
        return groups.entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .limit(10)
                        .map(g -> g.getKey() + " ("
                                + g.getValue().entrySet().stream()
                                        .limit(5)
                                        .map(e -> e.getKey() + ": " + e.getValue())
                                        .sorted()
                                        .collect(Collectors.joining(", "))
                                + (g.getValue().size() > 5 ? ", ..." : "")
                                + ")")
                        .collect(Collectors.joining("; "))
                + (groups.size() > 10 ? "; and " + (groups.size() - 10) + " more groups" : "");
    }

    private void syncGroups(Instant deadline) throws StepFailed {
        enter(CutoverState.SYNCING);
        LinkControls.GroupsCheck check = controls.syncGroups();
        Map<String, String> movedNotCommitted = new TreeMap<>();
        moved.forEach(group -> {
            if (!check.committed().contains(group)) {
                movedNotCommitted.put(
                        group,
                        check.notCommitted()
                                .getOrDefault(group, check.failures().getOrDefault(group, "not in scope of groups")));
            }
        });
        if (!movedNotCommitted.isEmpty()) {
            throw new StepFailed(
                    movedNotCommitted.size() + " consumer groups moving through the proxy were not committed on the "
                            + "target: "
                            + movedNotCommitted.entrySet().stream()
                                    .limit(10)
                                    .map(e -> e.getKey() + " (" + e.getValue() + ")")
                                    .collect(Collectors.joining(", ")),
                    new JsonObject().put("notCommitted", new JsonObject(new HashMap<>(movedNotCommitted))));
        }
        JsonObject numbers = new JsonObject()
                .put("committed", check.committed().size())
                .put("notCommitted", new JsonObject(new HashMap<>(check.notCommitted())))
                .put("failures", new JsonObject(new HashMap<>(check.failures())));
        if (!check.failures().isEmpty()) {
            throw new StepFailed(
                    check.failures().size() + " groups cannot resume exactly on the target: "
                            + check.failures().entrySet().stream()
                                    .sorted(Map.Entry.comparingByKey())
                                    .limit(10)
                                    .map(e -> e.getKey() + " (" + e.getValue() + ")")
                                    .collect(Collectors.joining(", ")),
                    numbers);
        }
        if (!current.dryRun()) {
            checkDeadline(deadline, "syncing groups", numbers);
        }
        pass(
                check.committed().size() + " groups committed exactly on the target"
                        + (check.notCommitted().isEmpty()
                                ? ""
                                : "; " + check.notCommitted().size() + " left as they are (see numbers)"),
                numbers);
    }

    /** Everything that can still fail without harm; ends with the record saved at the point of no return. */
    private void prepareSwitch(Instant deadline) throws StepFailed {
        enter(CutoverState.SWITCHING);
        LinkControls.PreparedIds ids = controls.prepareProducerIds();
        checkDeadline(deadline, "preparing the producer ids", new JsonObject().put("producerIdsMapped", ids.count()));
        mapped = ids.count();
        current = current.withProducerIds(ids.text());
        synchronized (commitLock) {
            checkAbort();
            committed = true;
        }
        try {
            store.save(current);
        } catch (RuntimeException e) {
            committed = false;
            throw e;
        }
    }

    /**
     * Past the point of no return: nothing here aborts. A switch the proxy refuses (its allocation on the target
     * failed) is tried again a few times; if it still fails the run stays in SWITCHING with the reason, the writes
     * stay held, and a restart of the sidecar completes the switch from the saved record.
     */
    private void switchNow() {
        RuntimeException last = null;
        try {
            controls.stopReplication();
            for (int attempt = 1; attempt <= SWITCH_ATTEMPTS; attempt++) {
                try {
                    controls.switchToTarget(mapping -> {
                        current = current.withProducerIds(mapping);
                        store.save(current);
                    });
                    last = null;
                    break;
                } catch (RuntimeException e) {
                    last = e;
                    LOG.warn(
                            "cutover: switch attempt {} of {} failed: {}",
                            attempt,
                            SWITCH_ATTEMPTS,
                            ErrorText.describe(e));
                    Thread.sleep(SWITCH_RETRY_MS * attempt);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            last = new CutoverException("interrupted while switching", e);
        } catch (RuntimeException e) {
            last = e;
        }
        if (last != null) {
            LOG.error(
                    "cutover: the switch did not complete ({}); writes stay held until the sidecar is restarted, "
                            + "which completes it from the saved record",
                    ErrorText.describe(last));
            current = current.ended(
                    CutoverState.SWITCHING,
                    current.since(),
                    "running",
                    "switch incomplete: " + ErrorText.describe(last),
                    held());
            return;
        }
        long held = held();
        pass(
                "replication stopped; the proxy forwards to the target and released the held requests",
                new JsonObject().put("heldMs", held).put("producerIdsMapped", mapped));
        current = current.entering(CutoverState.SWITCHED, clock.instant());
        pass("producers write to the target", new JsonObject());
        finish(CutoverState.SWITCHED, "switched", "switched after holding writes for " + held + " ms");
    }

    private long held() {
        return fencedAt == null
                ? 0
                : Duration.between(fencedAt, clock.instant()).toMillis();
    }

    private void finish(CutoverState state, String result, String reason) {
        Instant now = clock.instant();
        if (result.equals("dry-run-passed")) {
            current = current.withRehearsals(current.rehearsals().dryRunPassed(now));
        }
        current = current.ended(state, now, result, reason, held());
        fencedAtPublished = null;
        saveQuietly();
        evidence.ended(current);
    }

    private void abort(String reason, JsonObject numbers) {
        Instant now = clock.instant();
        long held = held();
        if (consumersMoving) {
            try {
                controls.keepConsumers();
            } catch (RuntimeException e) {
                LOG.error("cutover: handing the consumers back to the source failed: {}", ErrorText.describe(e));
            }
            moved = Set.of();
            consumersMoving = false;
        }
        if (fencedAt != null) {
            try {
                controls.lowerFence();
            } catch (RuntimeException e) {
                LOG.error("cutover: lowering the fence failed: {}", ErrorText.describe(e));
            }
        }
        CutoverRecord record = current;
        Optional<CutoverStep> step = record.runningStep();
        if (step.isPresent()) {
            CutoverStep failed = step.get().ended(now, false, reason, numbers);
            record = record.stepEnded(failed);
            evidence.record(record.run(), record.dryRun(), failed);
        }
        if (rollbackRequested) {
            // The reversal path rehearsed: the rollback gate counts it (a dry run's as much as a real run's).
            record = record.withRehearsals(record.rehearsals().rolledBack(now));
        }
        current = record.ended(
                CutoverState.MIRRORING,
                now,
                record.dryRun() ? "dry-run-failed" : "aborted",
                reason + (fencedAt == null ? "" : "; the held requests went to the source"),
                held);
        fencedAtPublished = null;
        saveQuietly();
        evidence.ended(current);
    }

    private void saveQuietly() {
        try {
            store.save(current);
        } catch (RuntimeException e) {
            LOG.error("cutover: {}; GET /cutover shows the state, the target's copy is older", e.getMessage());
        }
    }

    private void sleep() throws StepFailed {
        sleepFor(settings.poll());
    }

    private void sleepFor(Duration pause) throws StepFailed {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailed("the sidecar is stopping", new JsonObject());
        }
    }

    private static int compare(TopicPartition a, TopicPartition b) {
        int byTopic = a.topic().compareTo(b.topic());
        return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
    }

    private static String describe(Map<TopicPartition, Long> counts) {
        return counts.isEmpty()
                ? "none"
                : counts.entrySet().stream()
                                .limit(10)
                                .map(e -> e.getKey() + " +" + e.getValue())
                                .collect(Collectors.joining(", "))
                        + (counts.size() > 10 ? " and " + (counts.size() - 10) + " more" : "");
    }

    private static JsonObject endsJson(Map<TopicPartition, Long> ends) {
        JsonObject json = new JsonObject();
        ends.entrySet().stream()
                .sorted((a, b) -> compare(a.getKey(), b.getKey()))
                .limit(1_000)
                .forEach(e -> json.put(e.getKey().toString(), e.getValue()));
        return json;
    }

    /** Stops the cutover thread; a run still going aborts at its next check (the fence is lowered). Owner only. */
    @Override
    public void close() {
        abortRequest = "the sidecar is stopping";
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                thread.shutdownNow();
                LOG.warn("the cutover thread did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

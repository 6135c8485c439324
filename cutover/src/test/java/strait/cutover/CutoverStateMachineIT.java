package strait.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.embedded.SharedClusters;

/**
 * The state machine over the sidecar's parts as {@link LinkControls} (scripted here, so each step's condition can be
 * made true or false), with its record persisted on a real target broker.
 */
class CutoverStateMachineIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final CutoverSettings SETTINGS = new CutoverSettings(
            Duration.ofMillis(1_500),
            0,
            Duration.ofMillis(100),
            Duration.ofMillis(1_000),
            Duration.ofMillis(5),
            Optional.empty());

    /** The sidecar's parts, scripted: the source end and the replicated position are what the test sets. */
    static final class ScriptedLink implements LinkControls {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final AtomicLong sourceEnd = new AtomicLong(100);
        final AtomicLong replicated = new AtomicLong(100);
        volatile boolean sourceKeepsMoving;
        /** Replication keeps up with whatever the source has (a writer around the proxy is copied as it writes). */
        volatile boolean replicationKeepsUp;
        /** Records written to the source right as the fence goes up (requests forwarded just before it). */
        volatile long landingUnderFence;

        volatile Map<String, String> groupFailures = Map.of();

        /** Consumer groups reading through the proxy, with their members. */
        volatile Map<String, Map<String, String>> proxiedGroups = Map.of();
        /** Where every proxied group has committed each partition up to; it commits up to the end when -1. */
        final AtomicLong groupCommitted = new AtomicLong(-1);
        /** Whether the members let go of their partitions once asked to. */
        volatile boolean membersLetGo = true;

        volatile boolean moving;

        @Override
        public Map<String, Map<String, String>> proxiedGroups() {
            return proxiedGroups;
        }

        @Override
        public Map<String, Map<TopicPartition, Long>> uncommitted(
                java.util.Set<String> groups, Map<TopicPartition, Long> ends) {
            long committed = groupCommitted.get();
            Map<String, Map<TopicPartition, Long>> behind = new java.util.HashMap<>();
            if (committed >= 0) {
                groups.forEach(g -> ends.forEach((tp, end) -> {
                    if (committed < end) {
                        behind.computeIfAbsent(g, x -> new java.util.HashMap<>())
                                .put(tp, end - committed);
                    }
                }));
            }
            return behind;
        }

        @Override
        public void moveConsumers(java.util.Set<String> groups) {
            calls.add("move " + new java.util.TreeSet<>(groups));
            moving = true;
        }

        @Override
        public Map<String, Map<String, String>> membersHolding(java.util.Set<String> groups) {
            Map<String, Map<String, String>> holding = new java.util.HashMap<>();
            if (!(moving && membersLetGo)) {
                groups.forEach(g -> holding.put(g, proxiedGroups.get(g)));
            }
            return holding;
        }

        @Override
        public void keepConsumers() {
            calls.add("keep");
            moving = false;
        }

        @Override
        public void raiseFence() {
            calls.add("raise");
            sourceEnd.addAndGet(landingUnderFence);
        }

        @Override
        public void lowerFence() {
            calls.add("lower");
        }

        @Override
        public int heldRequests() {
            return 0;
        }

        /** Produce requests forwarded before the fence that the source has not answered yet. */
        final AtomicInteger owedBySource = new AtomicInteger();

        @Override
        public int produceRequestsOwedBySource() {
            return owedBySource.get();
        }

        @Override
        public Map<TopicPartition, Long> sourceEndOffsets() {
            return Map.of(TP, sourceKeepsMoving ? sourceEnd.incrementAndGet() : sourceEnd.get());
        }

        @Override
        public Map<TopicPartition, Long> replicatedPositions() {
            return Map.of(TP, replicationKeepsUp ? sourceEnd.get() : replicated.get());
        }

        @Override
        public Map<TopicPartition, String> stoppedPartitions() {
            return Map.of();
        }

        @Override
        public GroupsCheck syncGroups() {
            calls.add("sync");
            return new GroupsCheck(List.of("billing"), Map.of("audit", "active on the target"), groupFailures);
        }

        @Override
        public PreparedIds prepareProducerIds() {
            calls.add("prepare");
            return new PreparedIds("[[7,1007]]", 1);
        }

        @Override
        public void stopReplication() {
            calls.add("stop");
        }

        @Override
        public void switchToTarget(java.util.function.Consumer<String> persistMapping) {
            persistMapping.accept("[[7,1007],[8,1008]]");
            calls.add("switch");
        }
    }

    private static CutoverStore store(String link) {
        return CutoverStore.open(Map.of("bootstrap.servers", CLUSTERS.targetBootstrapServers()), link);
    }

    private static CutoverRecord awaitEnd(Cutover cutover, long run) {
        eventually(
                "run " + run + " ends",
                Duration.ofSeconds(30),
                () -> cutover.record().run() == run
                        && !cutover.record().result().equals("running"));
        return cutover.record();
    }

    @Test
    void aCutoverPassesEveryStepInOrderThenStopsReplicationBeforeSwitchingAndSavesTheMappingOnTheTarget() {
        ScriptedLink link = new ScriptedLink();
        List<CutoverState> entered = new ArrayList<>();
        try (CutoverStore store = store("sm-switch");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), entered::add)) {
            assertThat(cutover.begin(false).accepted()).isTrue();
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.state()).isEqualTo(CutoverState.SWITCHED);
            assertThat(done.result()).isEqualTo("switched");
            assertThat(entered)
                    .containsExactly(
                            CutoverState.FENCING,
                            CutoverState.VERIFYING_FENCE,
                            CutoverState.DRAINING,
                            CutoverState.MOVING_CONSUMERS,
                            CutoverState.SYNCING,
                            CutoverState.SWITCHING);
            assertThat(link.calls).containsExactly("prepare", "raise", "sync", "prepare", "stop", "switch");
            assertThat(done.steps()).extracting(CutoverStep::outcome).containsOnly("passed");
            assertThat(done.steps().get(3).detail()).isEqualTo("no consumer group reads through the proxy");
            assertThat(done.steps()
                            .get(4)
                            .numbers()
                            .getJsonObject("notCommitted")
                            .getString("audit"))
                    .isEqualTo("active on the target");
            CutoverRecord persisted = store.load().orElseThrow();
            assertThat(persisted.state()).isEqualTo(CutoverState.SWITCHED);
            assertThat(persisted.producerIds()).isEqualTo("[[7,1007],[8,1008]]");
            assertThat(cutover.begin(false).accepted()).isFalse();
            assertThat(cutover.rollback("test").message()).contains("switched to the target");
        }
    }

    @Test
    void sourceEndOffsetsThatKeepMovingUnderTheFenceAbortTheRunAndLowerTheFence() {
        ScriptedLink link = new ScriptedLink();
        link.sourceKeepsMoving = true;
        link.replicationKeepsUp = true;
        try (CutoverStore store = store("sm-moving");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.state()).isEqualTo(CutoverState.MIRRORING);
            assertThat(done.result()).isEqualTo("aborted");
            assertThat(done.reason())
                    .contains("cutover.fence.max.ms (1500 ms) passed")
                    .contains("kept moving under the fence: orders-0 +")
                    .contains("the held requests went to the source");
            assertThat(link.calls).containsExactly("prepare", "raise", "lower");
            assertThat(store.load().orElseThrow().result()).isEqualTo("aborted");
        }
    }

    @Test
    void aProduceRequestTheSourceHasNotAnsweredKeepsTheFenceUnverifiedUntilItIsAnswered() {
        ScriptedLink link = new ScriptedLink();
        link.owedBySource.set(2);
        try (CutoverStore store = store("sm-owed");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            eventually(
                    "the run waits in VERIFYING_FENCE",
                    Duration.ofSeconds(10),
                    () -> cutover.record().state() == CutoverState.VERIFYING_FENCE);
            Thread.sleep(400); // well past cutover.fence.verify.ms (100 ms): the still end offsets are not enough
            assertThat(cutover.record().state()).isEqualTo(CutoverState.VERIFYING_FENCE);

            link.owedBySource.set(0);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.result()).isEqualTo("switched");
            CutoverStep verified = done.steps().stream()
                    .filter(s -> s.state() == CutoverState.VERIFYING_FENCE)
                    .findFirst()
                    .orElseThrow();
            assertThat(verified.numbers().getInteger("produceRequestsAwaited")).isEqualTo(2);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aProduceRequestTheSourceNeverAnswersAbortsTheRunNamingIt() {
        ScriptedLink link = new ScriptedLink();
        link.owedBySource.set(1);
        try (CutoverStore store = store("sm-never-answered");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.result()).isEqualTo("aborted");
            assertThat(done.reason())
                    .contains("1 produce requests forwarded to the source before the fence were still unanswered");
            assertThat(link.calls).containsExactly("prepare", "raise", "lower");
        }
    }

    @Test
    void replicationThatDoesNotCatchUpUnderTheFenceInTimeAbortsNamingThePartitionBehind() {
        ScriptedLink link = new ScriptedLink();
        link.landingUnderFence = 40;
        try (CutoverStore store = store("sm-behind");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.result()).isEqualTo("aborted");
            assertThat(done.reason()).contains("replication drained: still behind orders-0 +40");
            CutoverStep draining = done.steps().get(done.steps().size() - 1);
            assertThat(draining.state()).isEqualTo(CutoverState.DRAINING);
            assertThat(draining.numbers().getLong("lagRecords")).isEqualTo(40L);
            assertThat(link.calls).containsExactly("prepare", "raise", "lower");
        }
    }

    @Test
    void replicationTooFarBehindToCatchUpBeforeTheFenceAbortsWithoutHoldingAWrite() {
        ScriptedLink link = new ScriptedLink();
        link.replicated.set(60);
        try (CutoverStore store = store("sm-far-behind");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.result()).isEqualTo("aborted");
            assertThat(done.reason())
                    .contains("before fencing, for replication to catch up with the source: still behind orders-0 +40")
                    .doesNotContain("held requests");
            assertThat(done.steps().get(0).state()).isEqualTo(CutoverState.FENCING);
            assertThat(link.calls).containsExactly("prepare");
        }
    }

    @Test
    void aGroupThatCannotResumeExactlyBlocksTheSwitch() {
        ScriptedLink link = new ScriptedLink();
        link.groupFailures = Map.of("billing", "orders-0 at 5: not yet replicated");
        try (CutoverStore store = store("sm-groups");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.result()).isEqualTo("aborted");
            assertThat(done.reason()).contains("1 groups cannot resume exactly on the target: billing");
            assertThat(link.calls).containsExactly("prepare", "raise", "sync", "lower");
        }
    }

    @Test
    void consumerGroupsReadingThroughTheProxyLetGoOnceTheyCommittedToTheEndAndThenTheSwitchMovesThem() {
        ScriptedLink link = new ScriptedLink();
        link.proxiedGroups = Map.of("billing", Map.of("m-1", "billing-1@10.0.0.7"));
        try (CutoverStore store = store("sm-consumers");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.result()).as(done.reason()).isEqualTo("switched");
            assertThat(link.calls)
                    .containsExactly("prepare", "raise", "move [billing]", "sync", "prepare", "stop", "switch");
            CutoverStep moving = done.steps().get(3);
            assertThat(moving.state()).isEqualTo(CutoverState.MOVING_CONSUMERS);
            assertThat(moving.detail()).startsWith("1 consumer groups committed up to the fenced end offsets in ");
        }
    }

    @Test
    void aGroupThatDoesNotCommitToTheEndAbortsTheRunNamingItAndKeepsItsConsumersOnTheSource() {
        ScriptedLink link = new ScriptedLink();
        link.proxiedGroups = Map.of("billing", Map.of("m-1", "billing-1@10.0.0.7"));
        link.groupCommitted.set(40);
        try (CutoverStore store = store("sm-consumers-behind");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.result()).isEqualTo("aborted");
            assertThat(done.reason())
                    .contains("cutover.consumers.max.ms (1000 ms) passed")
                    .contains("billing (orders-0: 60 records not committed)");
            assertThat(link.calls).containsExactly("prepare", "raise", "lower");
        }
    }

    @Test
    void aMemberThatNeverLetsGoAbortsTheRunNamingItAndItsGroupGoesBackToTheSource() {
        ScriptedLink link = new ScriptedLink();
        link.proxiedGroups = Map.of("billing", Map.of("m-1", "billing-1@10.0.0.7"));
        link.membersLetGo = false;
        try (CutoverStore store = store("sm-consumers-hold");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.result()).isEqualTo("aborted");
            assertThat(done.reason())
                    .contains("waiting for the consumers to let go of their partitions")
                    .contains("billing (m-1: billing-1@10.0.0.7)");
            assertThat(link.calls).containsExactly("prepare", "raise", "move [billing]", "keep", "lower");
        }
    }

    @Test
    void aMovedGroupTheSyncLeavesUncommittedOnTheTargetBlocksTheSwitch() {
        ScriptedLink link = new ScriptedLink();
        link.proxiedGroups = Map.of("audit", Map.of("m-2", "audit-1@10.0.0.8"));
        try (CutoverStore store = store("sm-consumers-sync");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(false);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.result()).isEqualTo("aborted");
            assertThat(done.reason())
                    .contains("1 consumer groups moving through the proxy were not committed on the target: "
                            + "audit (active on the target)");
            assertThat(link.calls).containsExactly("prepare", "raise", "move [audit]", "sync", "keep", "lower");
        }
    }

    @Test
    void aDryRunChecksEveryStepWithoutFencingOrSwitching() {
        ScriptedLink link = new ScriptedLink();
        link.sourceKeepsMoving = true;
        try (CutoverStore store = store("sm-dry");
                Cutover cutover =
                        Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
            cutover.begin(true);
            CutoverRecord done = awaitEnd(cutover, 1);

            assertThat(done.state()).isEqualTo(CutoverState.MIRRORING);
            assertThat(done.result()).isEqualTo("dry-run-passed");
            assertThat(done.dryRun()).isTrue();
            assertThat(link.calls).containsExactly("sync");
            assertThat(done.steps().get(1).detail()).contains("partitions moved during 100 ms");
        }
    }

    /** The previous run's thread lets go of "running" right after its record says it ended. */
    private static void startOnceFree(Cutover cutover, boolean dryRun) {
        eventually(
                "a run starts",
                Duration.ofSeconds(10),
                () -> cutover.begin(dryRun).accepted());
    }

    @Test
    void aPassedDryRunAndARolledBackRunAreKeptAsRehearsalsAcrossRunsAndRestartsButAFailedRunIsNone() {
        ScriptedLink link = new ScriptedLink();
        try (CutoverStore store = store("sm-rehearse")) {
            try (Cutover cutover =
                    Cutover.resume(store, store.load(), link, SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
                assertThat(cutover.record().rehearsals()).isEqualTo(Rehearsals.NONE);
                cutover.begin(true);
                CutoverRecord passed = awaitEnd(cutover, 1);
                assertThat(passed.result()).isEqualTo("dry-run-passed");
                assertThat(passed.rehearsals().dryRunPassedAt()).contains(passed.since());
                assertThat(passed.rehearsals().rolledBackAt()).isEmpty();

                link.sourceKeepsMoving = true;
                link.replicationKeepsUp = true;
                startOnceFree(cutover, false);
                CutoverRecord failed = awaitEnd(cutover, 2);
                assertThat(failed.result()).isEqualTo("aborted");
                assertThat(failed.rehearsals().rolledBackAt())
                        .as("an abort nobody asked for rehearses nothing")
                        .isEmpty();

                link.sourceKeepsMoving = false;
                startOnceFree(cutover, true);
                assertThat(cutover.rollback("rehearsing").accepted()).isTrue();
                CutoverRecord rolledBack = awaitEnd(cutover, 3);
                assertThat(rolledBack.result()).isEqualTo("dry-run-failed");
                assertThat(rolledBack.reason()).contains("rehearsing");
                assertThat(rolledBack.rehearsals().rolledBackAt()).contains(rolledBack.since());
                assertThat(rolledBack.rehearsals().dryRunPassedAt())
                        .isEqualTo(passed.rehearsals().dryRunPassedAt());
            }
            CutoverRecord persisted = store.load().orElseThrow();
            assertThat(persisted.rehearsals().dryRunPassedAt()).isPresent();
            assertThat(persisted.rehearsals().rolledBackAt()).isPresent();
        }
    }

    @Test
    void aSidecarRestartedBeforeTheSwitchAbortsTheRunAndOneRestartedInSwitchingCompletesIt() {
        Instant now = Instant.now();
        try (CutoverStore store = store("sm-restart")) {
            CutoverRecord draining = new CutoverRecord(
                            3, CutoverState.MIRRORING, now, false, "running", "", List.of(), 0, "")
                    .entering(CutoverState.FENCING, now)
                    .entering(CutoverState.DRAINING, now);
            store.save(draining);
            try (Cutover resumed = Cutover.resume(
                    store, store.load(), new ScriptedLink(), SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
                assertThat(resumed.record().state()).isEqualTo(CutoverState.MIRRORING);
                assertThat(resumed.record().result()).isEqualTo("aborted");
                assertThat(resumed.record().reason()).contains("the sidecar stopped during DRAINING");
                assertThat(resumed.switched()).isFalse();
            }
            assertThat(store.load().orElseThrow().result()).isEqualTo("aborted");

            store.save(new CutoverRecord(4, CutoverState.MIRRORING, now, false, "running", "", List.of(), 0, "")
                    .entering(CutoverState.SWITCHING, now)
                    .withProducerIds("[[7,1007]]"));
            try (Cutover resumed = Cutover.resume(
                    store, store.load(), new ScriptedLink(), SETTINGS, Clock.systemUTC(), Cutover.Listener.NONE)) {
                assertThat(resumed.switched()).isTrue();
                assertThat(resumed.producerIds()).isEqualTo("[[7,1007]]");
                resumed.completeSwitch();
                assertThat(resumed.record().state()).isEqualTo(CutoverState.SWITCHED);
            }
            CutoverRecord persisted = store.load().orElseThrow();
            assertThat(persisted.state()).isEqualTo(CutoverState.SWITCHED);
            assertThat(persisted.result()).isEqualTo("switched");
        }
    }
}

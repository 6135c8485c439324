package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.replicator.PartitionRunState.PENDING;
import static strait.replicator.PartitionRunState.RECONCILING;
import static strait.replicator.PartitionRunState.RUNNING;
import static strait.replicator.PartitionRunState.STOPPED;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import strait.offsets.OffsetMap;

/** The controller's stop / reconcile / resume rules, without brokers. */
class ControllerDecisionsTest {

    // ------------------------------------------------------------------ reconcile: when

    @Test
    void newAndHandedBackPartitionsAreReconciledOnceTheirBackoffIsOver() {
        assertThat(ControllerDecisions.dueForReconcile(PENDING, 0, 1_000)).isTrue();
        assertThat(ControllerDecisions.dueForReconcile(RECONCILING, 1_000, 1_000))
                .isTrue();
        assertThat(ControllerDecisions.dueForReconcile(RECONCILING, 1_001, 1_000))
                .isFalse();
        assertThat(ControllerDecisions.dueForReconcile(RUNNING, 0, 1_000)).isFalse();
        assertThat(ControllerDecisions.dueForReconcile(STOPPED, 0, 1_000)).isFalse();
    }

    @Test
    void theBackoffDoublesPerFailureUpToThirtySeconds() {
        long base = ControllerDecisions.RECONCILE_BACKOFF_BASE_MS;
        assertThat(ControllerDecisions.backoffMs(base, 1)).isEqualTo(1_000);
        assertThat(ControllerDecisions.backoffMs(base, 2)).isEqualTo(2_000);
        assertThat(ControllerDecisions.backoffMs(base, 5)).isEqualTo(16_000);
        assertThat(ControllerDecisions.backoffMs(base, 6)).isEqualTo(30_000);
        assertThat(ControllerDecisions.backoffMs(base, Integer.MAX_VALUE)).isEqualTo(30_000);
        long send = ControllerDecisions.SEND_BACKOFF_BASE_MS;
        assertThat(ControllerDecisions.backoffMs(send, 1)).isEqualTo(400);
        assertThat(ControllerDecisions.backoffMs(send, 7)).isEqualTo(25_600);
        assertThat(ControllerDecisions.backoffMs(send, 8)).isEqualTo(30_000);
    }

    // ------------------------------------------------------------------ stop

    @Test
    void aTargetTopicThatIsNotWritableStopsItsPartitionsOnceNamingTheProblems() {
        TopicParity broken = new TopicParity(
                "orders", 3, 2, false, List.of("target has 2 partitions, source 3", "cleanup.policy differs"));

        assertThat(ControllerDecisions.stopForParity(broken, RUNNING))
                .hasValue("target topic is not writable: target has 2 partitions, source 3; cleanup.policy differs");
        assertThat(ControllerDecisions.stopForParity(broken, PENDING)).isPresent();
        assertThat(ControllerDecisions.stopForParity(broken, STOPPED)).isEmpty();
        assertThat(ControllerDecisions.stopForParity(
                        new TopicParity("orders", 3, 3, true, List.of("retention.ms differs")), RUNNING))
                .isEmpty();
        assertThat(ControllerDecisions.stopForParity(null, RUNNING)).isEmpty();
    }

    @Test
    void aQuietPartitionWhoseTargetEndMovedPastItsPositionWasWrittenBySomeoneElse() {
        OffsetMap map = mapAt(10);

        assertThat(ControllerDecisions.foreignWrite(10, 11L, RUNNING, 0, map)).isTrue();
        // Not proof: the end is where the link left it, or was not read.
        assertThat(ControllerDecisions.foreignWrite(10, 10L, RUNNING, 0, map)).isFalse();
        assertThat(ControllerDecisions.foreignWrite(10, null, RUNNING, 0, map)).isFalse();
        // Not quiet any more: the link itself may have written past the position meanwhile.
        assertThat(ControllerDecisions.foreignWrite(10, 11L, RUNNING, 1, map)).isFalse();
        assertThat(ControllerDecisions.foreignWrite(10, 11L, RUNNING, 0, mapAt(11)))
                .isFalse();
        // Not running: reconciliation, or the stop already made, decides.
        assertThat(ControllerDecisions.foreignWrite(10, 11L, RECONCILING, 0, map))
                .isFalse();
        assertThat(ControllerDecisions.foreignWrite(10, 11L, STOPPED, 0, map)).isFalse();
        assertThat(ControllerDecisions.foreignWrite(10, 11L, RUNNING, 0, null)).isFalse();
    }

    // ------------------------------------------------------------------ reconcile: where it resumes

    @Test
    void withoutAMapAnEmptyTargetResumesFromTheSourceStart() {
        TailReconciler.Outcome outcome = ControllerDecisions.reconcileFromBounds(
                        null, new TailReconciler.Bounds(40, 7, 7))
                .orElseThrow();

        assertThat(outcome).isInstanceOf(TailReconciler.Outcome.Resume.class);
        OffsetMap map = ((TailReconciler.Outcome.Resume) outcome).map();
        assertThat(map.replicatedPosition()).isEqualTo(40);
        assertThat(map.targetPosition()).isEqualTo(7);
    }

    @Test
    void withoutAMapATargetHoldingRecordsIsNeverWrittenOnTop() {
        assertThat(ControllerDecisions.reconcileFromBounds(null, new TailReconciler.Bounds(0, 3, 8)))
                .hasValue(new TailReconciler.Outcome.Stop("target partition already holds records (offsets 3..7) and"
                        + " this link has no offset map for it: refusing to write on top"));
    }

    @Test
    void aTargetThatLostRecordsTheLinkWroteStops() {
        assertThat(ControllerDecisions.reconcileFromBounds(mapAt(10), new TailReconciler.Bounds(0, 0, 9)))
                .hasValue(new TailReconciler.Outcome.Stop(
                        "target end offset 9 is below the persisted target position 10: the target lost records this"
                                + " link wrote"));
    }

    @Test
    void aTargetEndingAtTheMapsPositionResumesFromTheMapAsPersisted() {
        OffsetMap persisted = mapAt(10);

        assertThat(ControllerDecisions.reconcileFromBounds(persisted, new TailReconciler.Bounds(0, 0, 10)))
                .hasValue(new TailReconciler.Outcome.Resume(persisted, 0));
    }

    @Test
    void recordsPastTheMapsPositionAreLeftToPairing() {
        assertThat(ControllerDecisions.reconcileFromBounds(mapAt(10), new TailReconciler.Bounds(0, 0, 12)))
                .isEqualTo(Optional.empty());
    }

    /** A map that copied source offsets 0..n-1 to target offsets 0..n-1. */
    private static OffsetMap mapAt(long n) {
        OffsetMap map = OffsetMap.startingAt(0, 0);
        for (long i = 0; i < n; i++) {
            map.append(i, i);
        }
        return map;
    }
}

package strait.replicator;

import java.util.Optional;
import strait.offsets.OffsetMap;

/**
 * The replication controller's decisions about one partition, as pure functions of what it observed: when to stop it,
 * when to reconcile it (and how long to back off), and where reconciliation resumes it. {@link ReplicationController}
 * and {@link TailReconciler} gather the observations (Admin calls, the partition's state) and act on the answers;
 * {@code ControllerDecisionsTest} pins the rules without brokers.
 *
 * <p>Stateless; any thread.
 */
final class ControllerDecisions {

    /** The longest a partition waits between two reconciliation attempts. */
    static final long MAX_BACKOFF_MS = 30_000;
    /** The first wait after a failed reconciliation (reading bounds or pairing). */
    static final long RECONCILE_BACKOFF_BASE_MS = 500;
    /** The first wait after a transient send failure hands the partition back to reconciliation. */
    static final long SEND_BACKOFF_BASE_MS = 200;

    private ControllerDecisions() {}

    /** The wait after the {@code failures}-th failure in a row: the base doubled per failure, at most 30 s. */
    static long backoffMs(long baseMs, int failures) {
        return Math.min(MAX_BACKOFF_MS, baseMs << Math.min(10, failures));
    }

    /** Whether a partition is reconciled now: new (PENDING) or handed back (RECONCILING), and its backoff is over. */
    static boolean dueForReconcile(PartitionRunState state, long nextReconcileAtMillis, long nowMillis) {
        return (state == PartitionRunState.PENDING || state == PartitionRunState.RECONCILING)
                && nextReconcileAtMillis <= nowMillis;
    }

    /**
     * Why a partition stops because its target topic is not writable (fewer partitions, another cleanup.policy,
     * LogAppendTime), or empty: when the topic sync has no verdict on the topic, it is writable, or the partition
     * already stopped.
     */
    static Optional<String> stopForParity(TopicParity parity, PartitionRunState state) {
        if (parity == null || parity.writable() || state == PartitionRunState.STOPPED) {
            return Optional.empty();
        }
        return Optional.of("target topic is not writable: " + String.join("; ", parity.problems()));
    }

    /**
     * Whether a quiet partition was written to by someone else: it was RUNNING with nothing in flight at target
     * position {@code idlePosition} before the target's end was read, the end read is past that position, and it is
     * still RUNNING at the same position with nothing in flight (so the records past it cannot be this link's).
     *
     * @param targetEnd the end offset read, or null when it could not be read
     * @param map the partition's map now, or null
     */
    static boolean foreignWrite(
            long idlePosition, Long targetEnd, PartitionRunState state, long chunksInFlight, OffsetMap map) {
        return targetEnd != null
                && targetEnd > idlePosition
                && state == PartitionRunState.RUNNING
                && map != null
                && chunksInFlight == 0
                && map.targetPosition() == idlePosition;
    }

    /**
     * Where reconciliation goes from the partition's log bounds alone, or empty when the target holds records past
     * the persisted map that must be paired, one by one, with the source's. Never writes on top of what it cannot
     * account for:
     *
     * <ul>
     *   <li>no map and an empty target: resume from the source's start into the target's end;
     *   <li>no map and a target that holds records: stop (they are not this link's, or their map is lost);
     *   <li>a target end below the map's target position: stop (the target lost records this link wrote);
     *   <li>a target end at the map's target position: resume from the map as persisted.
     * </ul>
     *
     * @param persisted the map as last persisted, or null when none was
     */
    static Optional<TailReconciler.Outcome> reconcileFromBounds(OffsetMap persisted, TailReconciler.Bounds bounds) {
        long targetStart = bounds.targetStart();
        long targetEnd = bounds.targetEnd();
        if (persisted == null) {
            if (targetEnd > targetStart) {
                return Optional.of(new TailReconciler.Outcome.Stop("target partition already holds records (offsets "
                        + targetStart + ".." + (targetEnd - 1)
                        + ") and this link has no offset map for it: refusing to write on top"));
            }
            return Optional.of(
                    new TailReconciler.Outcome.Resume(OffsetMap.startingAt(bounds.sourceStart(), targetEnd), 0));
        }
        long t = persisted.targetPosition();
        if (targetEnd < t) {
            return Optional.of(new TailReconciler.Outcome.Stop("target end offset " + targetEnd
                    + " is below the persisted target position " + t + ": the target lost records this link wrote"));
        }
        if (targetEnd == t) {
            return Optional.of(new TailReconciler.Outcome.Resume(persisted, 0));
        }
        return Optional.empty();
    }
}

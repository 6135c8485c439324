package strait.cutover;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What the cutover drives and reads in the rest of the sidecar, implemented by the composition root over the proxy,
 * the replicator, the offset maps and the group sync, so this module depends on none of them.
 *
 * <p>Called only from the cutover's own thread; every method may block for its I/O (bounded by the client timeouts).
 */
public interface LinkControls {

    /** New produce requests are held at the proxy from now on. */
    void raiseFence();

    /** New produce requests go upstream again and the held ones are released, to the cluster now current. */
    void lowerFence();

    /** Produce requests held at the proxy right now. */
    int heldRequests();

    /**
     * Produce requests the proxy forwarded to the source whose responses have not come back: writes that may still
     * land there, however still its end offsets look.
     */
    int produceRequestsOwedBySource();

    /** The source's end offsets (high watermarks) of every replicated partition, read now. */
    Map<TopicPartition, Long> sourceEndOffsets();

    /** The next source offset not yet on the target, per replicated partition, as the offset maps say now. */
    Map<TopicPartition, Long> replicatedPositions();

    /** Why each stopped partition is not being copied; empty when every partition is copying. */
    Map<TopicPartition, String> stoppedPartitions();

    /**
     * The consumer groups to move with the producers: those whose members reach the source's coordinator through the
     * proxy and that have members on the source now, each with its members ({@code member id -> client.id@host}).
     */
    default Map<String, Map<String, String>> proxiedGroups() {
        return Map.of();
    }

    /**
     * Per group, the partitions of {@code ends} it has not committed up to that end offset on the source (assigned
     * to a member with no commit, or committed below), each with the records not committed; groups that are done are
     * absent.
     */
    default Map<String, Map<TopicPartition, Long>> uncommitted(
            java.util.Set<String> groups, Map<TopicPartition, Long> ends) {
        return Map.of();
    }

    /**
     * From now on the proxy answers the heartbeats of {@code groups}' members with the error that makes a consumer
     * give up its partitions, and holds their rejoins until the switch or {@link #keepConsumers}.
     */
    default void moveConsumers(java.util.Set<String> groups) {}

    /**
     * Per group, the members the source still lists that have not yet let go of their partitions through the proxy
     * ({@code member id -> client.id@host}); groups where every member has are absent.
     */
    default Map<String, Map<String, String>> membersHolding(java.util.Set<String> groups) {
        return Map.of();
    }

    /** Ends the consumer moves (the cutover aborted): the held rejoins go to the source. Idempotent. */
    default void keepConsumers() {}

    /** Runs a group translation and sync round now and reports how every in-scope group stands. */
    GroupsCheck syncGroups();

    /**
     * Obtains, on the target, the producer ids the proxy will write the source producers' batches under after the
     * switch, for every source producer id seen so far, without switching. Called before the fence goes up (so the
     * allocation does not hold writes) and again at the switch (for the ids that appeared since).
     *
     * @return the mapping in its persisted text form, and how many producers it maps
     */
    PreparedIds prepareProducerIds();

    /** Stops replication for good: after it returns no copy of the link's partitions writes to the target. */
    void stopReplication();

    /**
     * The proxy forwards to the target from now on, writing under mapped producer ids; then the fence is lowered and
     * the held requests go to the target.
     *
     * @param persistMapping receives the complete mapping (text form) before the proxy switches; if it throws, the
     *     proxy does not switch
     */
    void switchToTarget(java.util.function.Consumer<String> persistMapping);

    /** The producer-id mapping prepared for the switch: its persisted form and how many producers it maps. */
    record PreparedIds(String text, int count) {}

    /**
     * How the in-scope groups stand after a sync round.
     *
     * @param committed groups whose translated offsets the target now holds
     * @param notCommitted groups left as they are, each with why (e.g. members active on the target), listed in the
     *     evidence without failing the step
     * @param failures groups that block the switch, each with why (a refused commit, an offset that cannot be
     *     translated exactly)
     */
    record GroupsCheck(List<String> committed, Map<String, String> notCommitted, Map<String, String> failures) {
        public GroupsCheck {
            committed = List.copyOf(committed);
            notCommitted = Map.copyOf(notCommitted);
            failures = Map.copyOf(failures);
        }
    }
}

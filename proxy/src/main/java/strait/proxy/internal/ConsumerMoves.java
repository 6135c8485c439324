package strait.proxy.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The consumer groups whose members reach the source's coordinator through the proxy, and their move at the cutover
 * (docs/decisions/0014).
 *
 * <p>While mirroring it only remembers which groups it saw. Once the cutover asks it to move groups, every
 * heartbeat of their members is answered by the proxy with the error that makes a Kafka consumer give up its
 * partitions as lost (classic: ILLEGAL_GENERATION, which keeps the member id; consumer protocol:
 * FENCED_MEMBER_EPOCH), so it drops its source positions; the rejoin that follows (JoinGroup, SyncGroup, or a
 * ConsumerGroupHeartbeat at epoch 0) is held. A held rejoin is a member that has let go: it holds no partition and
 * fetches nothing until it joins again. At the switch the proxy's connections close, the held rejoins with them, and
 * each member joins on the target, where it reads the translated commits. If the cutover aborts instead, the held
 * rejoins go to the source and the members carry on there.
 *
 * <p>Invariant: a member of a moving group never has a heartbeat forwarded, so the source never hands it a partition
 * again before the move ends.
 *
 * <p>Confined to the proxy's event loop.
 */
final class ConsumerMoves {

    /** What a connection does with a group request. */
    enum Action {
        FORWARD,
        /** Answer it with the error that makes the member drop its partitions. */
        FENCE,
        /** Hold it (with what follows it on its connection) until the move ends. */
        HOLD
    }

    /** Groups seen, oldest first; at most {@link #MAX_GROUPS}, the oldest forgotten beyond (it moves if it returns). */
    private final Map<String, Boolean> seen = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_GROUPS;
        }
    };

    private final Set<String> moving = new HashSet<>();
    private final Map<String, Set<String>> letGo = new HashMap<>();

    static final int MAX_GROUPS = 10_000;

    /** A classic Heartbeat. */
    Action heartbeat(String group) {
        remember(group);
        if (!moving.contains(group)) {
            return Action.FORWARD;
        }
        return Action.FENCE;
    }

    /** A classic JoinGroup or SyncGroup: held while its group moves, and then the member has let go. */
    Action rejoin(String group, String memberId) {
        remember(group);
        if (!moving.contains(group)) {
            return Action.FORWARD;
        }
        if (!memberId.isEmpty()) {
            letGo.computeIfAbsent(group, g -> new HashSet<>()).add(memberId);
        }
        return Action.HOLD;
    }

    /**
     * A ConsumerGroupHeartbeat at {@code epoch}: a leave (negative) is forwarded and forgotten; while the group moves,
     * epoch 0 is a rejoin (held), any other epoch is fenced.
     */
    Action consumerHeartbeat(String group, String memberId, int epoch) {
        if (epoch < 0) {
            return Action.FORWARD;
        }
        if (epoch == 0) {
            return rejoin(group, memberId);
        }
        return heartbeat(group);
    }

    private void remember(String group) {
        seen.put(group, Boolean.TRUE);
    }

    /** Starts moving {@code groups}: from now on their heartbeats are fenced and their rejoins held. */
    void move(Set<String> groups) {
        moving.addAll(groups);
    }

    /** Ends every move (the cutover aborted): what was held may go to the source again. */
    void endMoves() {
        moving.clear();
        letGo.clear();
    }

    /** Every group seen (a copy); which of them have members now, and who, the source's coordinator says. */
    Set<String> seen() {
        return Set.copyOf(seen.keySet());
    }

    /** The member ids of each moving group that have let go of their partitions (a copy). */
    Map<String, Set<String>> letGo() {
        Map<String, Set<String>> copy = new HashMap<>();
        letGo.forEach((group, members) -> copy.put(group, Set.copyOf(members)));
        return copy;
    }
}

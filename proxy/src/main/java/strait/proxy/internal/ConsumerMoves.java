package strait.proxy.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The consumer groups whose members reach the source's coordinator through the proxy, and their move at the cutover
 * (docs/decisions/0014).
 *
 * <p>While mirroring it only remembers which groups and members it saw. Once the cutover asks it to move groups, every
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

    /** A member as its requests name it. */
    record Member(String memberId, String clientId, String host) {}

    private final Map<String, Map<String, Member>> seen = new HashMap<>();
    private final Set<String> moving = new HashSet<>();
    private final Map<String, Set<String>> letGo = new HashMap<>();
    private long fenced;

    /** A classic Heartbeat. */
    Action heartbeat(String group, Member member) {
        remember(group, member);
        if (!moving.contains(group)) {
            return Action.FORWARD;
        }
        fenced++;
        return Action.FENCE;
    }

    /** A classic JoinGroup or SyncGroup: held while its group moves, and then the member has let go. */
    Action rejoin(String group, Member member) {
        remember(group, member);
        if (!moving.contains(group)) {
            return Action.FORWARD;
        }
        if (!member.memberId().isEmpty()) {
            letGo.computeIfAbsent(group, g -> new HashSet<>()).add(member.memberId());
        }
        return Action.HOLD;
    }

    /**
     * A ConsumerGroupHeartbeat at {@code epoch}: a leave (negative) is forwarded and forgotten; while the group moves,
     * epoch 0 is a rejoin (held), any other epoch is fenced.
     */
    Action consumerHeartbeat(String group, Member member, int epoch) {
        if (epoch < 0) {
            Map<String, Member> members = seen.get(group);
            if (members != null) {
                members.remove(member.memberId());
            }
            return Action.FORWARD;
        }
        if (epoch == 0) {
            return rejoin(group, member);
        }
        return heartbeat(group, member);
    }

    private void remember(String group, Member member) {
        if (!member.memberId().isEmpty()) {
            seen.computeIfAbsent(group, g -> new HashMap<>()).put(member.memberId(), member);
        }
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

    /** Every group seen, with the members seen in it (a copy). */
    Map<String, Map<String, Member>> seen() {
        Map<String, Map<String, Member>> copy = new HashMap<>();
        seen.forEach((group, members) -> copy.put(group, Map.copyOf(members)));
        return copy;
    }

    /** The member ids of each moving group that have let go of their partitions (a copy). */
    Map<String, Set<String>> letGo() {
        Map<String, Set<String>> copy = new HashMap<>();
        letGo.forEach((group, members) -> copy.put(group, Set.copyOf(members)));
        return copy;
    }

    /** Heartbeats answered with the fencing error so far. */
    long fencedHeartbeats() {
        return fenced;
    }
}

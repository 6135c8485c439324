package strait.replicator;

import java.time.Instant;
import java.util.List;

/**
 * An immutable snapshot of the replicator, refreshed by its admin worker; readers (HTTP, gates) never block.
 *
 * @param refreshedAt when both end offsets of every partition still being copied were last asked for (a round that
 *     missed one keeps the previous time, so the lag ages instead of looking current); {@link Instant#EPOCH} until
 *     the first complete round
 * @param topicsCurrentAt when {@code topics} was last known current: the snapshot time while topic discovery
 *     succeeds, the last success while it fails (so the parity ages and its gate fails as stale), and
 *     {@link Instant#EPOCH} until discovery has succeeded once (an empty list then means "not known", not "none")
 */
public record ReplicatorStatus(
        Instant refreshedAt, List<PartitionStatus> partitions, List<TopicParity> topics, Instant topicsCurrentAt) {
    public static final ReplicatorStatus EMPTY =
            new ReplicatorStatus(Instant.EPOCH, List.of(), List.of(), Instant.EPOCH);

    public ReplicatorStatus {
        partitions = List.copyOf(partitions);
        topics = List.copyOf(topics);
    }
}

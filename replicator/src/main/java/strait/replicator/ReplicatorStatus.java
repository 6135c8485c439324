package strait.replicator;

import java.time.Instant;
import java.util.List;

/**
 * An immutable snapshot of the replicator, refreshed by its admin worker; readers (HTTP, gates) never block.
 *
 * @param refreshedAt when the end offsets in this snapshot were read; {@link Instant#EPOCH} before the first refresh
 */
public record ReplicatorStatus(Instant refreshedAt, List<PartitionStatus> partitions, List<TopicParity> topics) {
    public static final ReplicatorStatus EMPTY = new ReplicatorStatus(Instant.EPOCH, List.of(), List.of());

    public ReplicatorStatus {
        partitions = List.copyOf(partitions);
        topics = List.copyOf(topics);
    }
}

package strait.offsets;

import java.util.List;

/**
 * One source group's translated offsets and the state of its sync to the target. Immutable.
 *
 * @param partitions sorted by topic, then partition
 * @param sync what the last sync round did with this group
 */
public record GroupOffsets(String group, List<PartitionOffset> partitions, GroupSync sync) {

    public GroupOffsets {
        partitions = List.copyOf(partitions);
    }

    /** Whether every partition has a valid translation. */
    public boolean allValid() {
        return partitions.stream().allMatch(PartitionOffset::valid);
    }

    GroupOffsets withSync(GroupSync newSync) {
        return new GroupOffsets(group, partitions, newSync);
    }

    /**
     * The outcome of committing a group's translated offsets on the target.
     *
     * @param synced whether the target group now holds every valid translated offset (or a later one)
     * @param reason why not, or {@code "synced"}
     */
    public record GroupSync(boolean synced, String reason) {
        static final GroupSync NOT_ATTEMPTED = new GroupSync(false, "not attempted yet");
        static final GroupSync SYNCED = new GroupSync(true, "synced");
    }
}

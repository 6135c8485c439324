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
     * @param failed whether the target refused the commit or could not be asked (denied, unreachable): consumers
     *     resuming on the target would not find these offsets, which the cutover gates must not pass over
     * @param reason why not, or {@code "synced"}
     */
    public record GroupSync(boolean synced, boolean failed, String reason) {
        static final GroupSync NOT_ATTEMPTED = new GroupSync(false, false, "not attempted yet");
        static final GroupSync SYNCED = new GroupSync(true, false, "synced");

        static GroupSync notSynced(String reason) {
            return new GroupSync(false, false, reason);
        }

        static GroupSync failed(String reason) {
            return new GroupSync(false, true, reason);
        }
    }
}

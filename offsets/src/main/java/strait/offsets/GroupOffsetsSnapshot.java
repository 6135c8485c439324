package strait.offsets;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every in-scope source group's translated offsets as of {@link #takenAt}: what the HTTP layer and the gates read.
 * Immutable; a new one is published after each round of the group worker.
 */
public record GroupOffsetsSnapshot(Instant takenAt, Map<String, GroupOffsets> groups) {

    /** Before the first round: no groups, taken at the epoch. */
    public static final GroupOffsetsSnapshot EMPTY = new GroupOffsetsSnapshot(Instant.EPOCH, Map.of());

    public GroupOffsetsSnapshot {
        groups = java.util.Collections.unmodifiableMap(new TreeMap<>(groups));
    }

    /** One group, or empty when it is out of scope or unknown (HTTP 404). */
    public Optional<GroupOffsets> group(String groupId) {
        return Optional.ofNullable(groups.get(groupId));
    }
}

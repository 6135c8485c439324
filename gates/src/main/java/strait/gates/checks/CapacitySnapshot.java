package strait.gates.checks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@code capacity} gate judges: every target log directory with the bytes still to copy into it, read from
 * both clusters' {@code DescribeLogDirs} at one moment. Immutable; built by the {@link CapacityRefresher}'s thread,
 * read by the evaluation worker.
 *
 * @param targetDirs every log directory of every target broker
 * @param bytesToCopy source bytes not yet on the target, summed over the replicated partitions (one copy each)
 * @param unplacedBytes the part of {@code bytesToCopy} whose partitions have no replica on the target yet (their
 *     topic is still to be created), so no directory can be charged for it
 * @param partitions replicated partitions counted
 * @param problem why the numbers could not be read (an authorization error, a time-out), empty when they were
 */
public record CapacitySnapshot(
        List<LogDirSpace> targetDirs, long bytesToCopy, long unplacedBytes, int partitions, Optional<String> problem) {

    public CapacitySnapshot {
        targetDirs = List.copyOf(targetDirs);
        Objects.requireNonNull(problem, "problem");
    }

    /** A snapshot saying only why there are no numbers. */
    public static CapacitySnapshot failed(String problem) {
        return new CapacitySnapshot(List.of(), 0, 0, 0, Optional.of(problem));
    }
}

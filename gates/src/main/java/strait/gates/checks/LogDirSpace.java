package strait.gates.checks;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One log directory of one target broker: its size and free space as the broker reports them (KIP-827), and the
 * bytes the migration will still write into it (the replicated partitions it holds a replica of).
 *
 * @param broker the target broker's id
 * @param path the log directory
 * @param totalBytes the directory's volume size; empty when the broker does not report it (before Kafka 3.3)
 * @param usableBytes bytes still usable on that volume; empty when the broker does not report it
 * @param bytesToCopy bytes of the source not yet on the target, summed over the replicas this directory holds
 * @param partitions replicated partitions with a replica in this directory
 */
public record LogDirSpace(
        int broker, String path, OptionalLong totalBytes, OptionalLong usableBytes, long bytesToCopy, int partitions) {

    public LogDirSpace {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(totalBytes, "totalBytes");
        Objects.requireNonNull(usableBytes, "usableBytes");
        if (bytesToCopy < 0 || partitions < 0) {
            throw new IllegalArgumentException("bytesToCopy and partitions must be non-negative");
        }
    }
}

package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keeps the {@code capacity} gate's input fresh: every {@code interval} it reads both clusters' log directories
 * ({@link LogDirsReader}) and publishes the snapshot. Threads as in {@link ClusterReader}.
 */
public final class CapacityRefresher extends ClusterReader<CapacitySnapshot> {

    private final Supplier<Set<String>> topics;

    /**
     * @param sourceProps, targetProps each side's client settings (credentials included, never logged)
     * @param topics the replicated topics now, read on the refresher's thread
     */
    public CapacityRefresher(
            Map<String, Object> sourceProps,
            Map<String, Object> targetProps,
            Supplier<Set<String>> topics,
            Duration interval,
            Clock clock) {
        super("capacity", sourceProps, targetProps, CapacitySnapshot::problem, interval, clock);
        this.topics = topics;
    }

    @Override
    CapacitySnapshot read(ClusterPair clusters) {
        return new LogDirsReader(clusters).read(topics.get());
    }
}

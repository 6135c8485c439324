package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import strait.gates.InputProvider;

/**
 * Keeps the {@code capacity} gate's input fresh: every {@code interval} it reads both clusters' log directories
 * ({@link LogDirsReader}) and publishes the snapshot, so the gate never waits on a cluster.
 *
 * <p>Threads: the reads run on its own thread ({@code strait-gates-capacity}), never on an event loop nor on the
 * evaluation worker; {@link #input} is read by the evaluation worker (a volatile snapshot). {@link #start} and
 * {@link #close} are for the composition root's thread.
 */
public final class CapacityRefresher implements AutoCloseable {

    private final Map<String, Object> sourceProps;
    private final Map<String, Object> targetProps;
    private final Supplier<Set<String>> topics;
    private final PeriodicInput<CapacitySnapshot> periodic;
    private ClusterPair clusters;
    private LogDirsReader reader;

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
        this.sourceProps = Map.copyOf(sourceProps);
        this.targetProps = Map.copyOf(targetProps);
        this.topics = topics;
        this.periodic = new PeriodicInput<>(
                "strait-gates-capacity",
                "capacity",
                () -> reader.read(this.topics.get()),
                CapacitySnapshot::problem,
                interval,
                clock);
    }

    /** Builds the two admin clients and schedules the reads, the first at once. */
    public synchronized void start() {
        clusters = ClusterPair.open(sourceProps, targetProps, "capacity");
        reader = new LogDirsReader(clusters);
        periodic.start();
    }

    /** The capacity gate's input. Evaluation worker. */
    public InputProvider<CapacitySnapshot> input() {
        return periodic.input();
    }

    @Override
    public synchronized void close() {
        periodic.stop(ClusterPair.TIMEOUT);
        if (clusters != null) {
            clusters.close();
        }
    }
}

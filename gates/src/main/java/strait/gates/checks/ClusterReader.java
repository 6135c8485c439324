package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import strait.gates.InputProvider;

/**
 * A gate input read from both clusters' admin APIs on a thread of its own ({@code strait-gates-<gate>}), every
 * {@code interval}, so the gate never waits on a cluster: the subclass says what one round reads ({@link #read}), this
 * holds the two admin clients ({@link ClusterPair}), the schedule and the published snapshot ({@link PeriodicInput}).
 *
 * <p>Threads: {@link #read} runs on the reader's own thread, never on an event loop nor on the evaluation worker;
 * {@link #input} is read by the evaluation worker (a volatile snapshot); {@link #start} and {@link #close} are for the
 * composition root's thread.
 */
public abstract class ClusterReader<T> implements AutoCloseable {

    private final String gate;
    private final Map<String, Object> sourceProps;
    private final Map<String, Object> targetProps;
    private final PeriodicInput<T> periodic;
    private ClusterPair clusters;

    /**
     * @param gate the gate it reads for, naming the thread, the clients and the log lines
     * @param sourceProps, targetProps each side's client settings (credentials included, never logged)
     * @param problem a snapshot's problem (why a cluster could not be read), logged when it changes
     */
    ClusterReader(
            String gate,
            Map<String, Object> sourceProps,
            Map<String, Object> targetProps,
            Function<T, Optional<String>> problem,
            Duration interval,
            Clock clock) {
        this.gate = gate;
        this.sourceProps = Map.copyOf(sourceProps);
        this.targetProps = Map.copyOf(targetProps);
        this.periodic =
                new PeriodicInput<>("strait-gates-" + gate, gate, () -> read(clusters), problem, interval, clock);
    }

    /** Builds the two admin clients and schedules the reads, the first at once. */
    public final synchronized void start() {
        clusters = ClusterPair.open(sourceProps, targetProps, gate);
        periodic.start();
    }

    /** The gate's input. Evaluation worker. */
    public final InputProvider<T> input() {
        return periodic.input();
    }

    /** One round; the reader's thread. A cluster that cannot be read is a snapshot saying why, not an exception. */
    abstract T read(ClusterPair clusters);

    @Override
    public final synchronized void close() {
        periodic.stop(ClusterPair.TIMEOUT);
        if (clusters != null) {
            clusters.close();
        }
    }
}

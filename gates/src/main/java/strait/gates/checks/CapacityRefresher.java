package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private static final Logger LOG = LoggerFactory.getLogger(CapacityRefresher.class);
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Map<String, Object> sourceProps;
    private final Map<String, Object> targetProps;
    private final Supplier<Set<String>> topics;
    private final PeriodicInput<CapacitySnapshot> periodic;
    private Admin source;
    private Admin target;
    private LogDirsReader reader;
    private String lastProblem = "";

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
        this.periodic = new PeriodicInput<>("strait-gates-capacity", "capacity", this::refresh, interval, clock);
    }

    /** Refreshes at most every 10 s, and three times within {@code gates.stale.ms}, but not more than once a second. */
    public static Duration interval(long staleMs) {
        return Duration.ofMillis(Math.max(1_000, Math.min(10_000, staleMs / 3)));
    }

    /** Builds the two admin clients and schedules the reads, the first at once. */
    public synchronized void start() {
        source = Admin.create(withClientId(sourceProps, "strait-capacity-source"));
        target = Admin.create(withClientId(targetProps, "strait-capacity-target"));
        reader = new LogDirsReader(source, target, TIMEOUT);
        periodic.start();
    }

    /** The capacity gate's input. Evaluation worker. */
    public InputProvider<CapacitySnapshot> input() {
        return periodic.input();
    }

    /** One read of the log dirs; the refresher's thread. */
    private CapacitySnapshot refresh() {
        CapacitySnapshot snapshot = reader.read(topics.get());
        String problem = snapshot.problem().orElse("");
        if (!problem.equals(lastProblem)) {
            if (problem.isEmpty()) {
                LOG.info("capacity: log dirs readable again");
            } else {
                LOG.warn("capacity: {}", problem);
            }
            lastProblem = problem;
        }
        return snapshot;
    }

    private static Map<String, Object> withClientId(Map<String, Object> props, String clientId) {
        Map<String, Object> all = new java.util.HashMap<>(props);
        all.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return all;
    }

    @Override
    public synchronized void close() {
        periodic.stop(TIMEOUT);
        if (source != null) {
            source.close(Duration.ofSeconds(5));
        }
        if (target != null) {
            target.close(Duration.ofSeconds(5));
        }
    }
}

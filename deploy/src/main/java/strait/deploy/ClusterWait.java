package strait.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.StraitConfig;

/**
 * The first step of {@code run}: waits until both clusters' bootstrap addresses accept connections
 * ({@link ClusterReachability}), before any Kafka client is built (docs/decisions/0012). While either cannot be
 * reached it retries for as long as it takes, 2 s after the first attempt, then doubling to every 30 s, and logs one
 * WARN line per attempt naming each side it cannot reach and its address. Called by the composition root's thread.
 */
final class ClusterWait {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWait.class);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private ClusterWait() {}

    /**
     * Returns once both clusters are reachable: at once when they are at the first attempt. Before each wait, tells
     * {@code waiting} why (one line, the sides and addresses it cannot reach).
     *
     * @throws StartupException when interrupted
     */
    static void untilReachable(StraitConfig config, Consumer<String> waiting) {
        long startedNs = System.nanoTime();
        Duration next = FIRST_RETRY;
        for (int attempt = 1; ; attempt++) {
            Optional<String> problem = problem(config);
            if (problem.isEmpty()) {
                if (attempt == 1) {
                    LOG.debug(
                            "both clusters accept connections ({} us)",
                            Duration.ofNanos(System.nanoTime() - startedNs).toNanos() / 1_000);
                } else {
                    LOG.info(
                            "both clusters are reachable after {} attempts in {} s: starting",
                            attempt,
                            Duration.ofNanos(System.nanoTime() - startedNs).toSeconds());
                }
                return;
            }
            waiting.accept(problem.get());
            LOG.warn("{}; not started yet, attempt {}, next in {} s", problem.get(), attempt, next.toSeconds());
            try {
                Thread.sleep(next.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted while waiting for the clusters: " + problem.get(), e);
            }
            next = next.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : next.multipliedBy(2);
        }
    }

    /** Why a side cannot be reached, both when neither can; empty when both can. */
    static Optional<String> problem(StraitConfig config) {
        List<String> problems = new ArrayList<>();
        ClusterReachability.problem("source", config.getString(StraitConfig.SOURCE_BOOTSTRAP_SERVERS), CONNECT_TIMEOUT)
                .ifPresent(problems::add);
        ClusterReachability.problem("target", config.getString(StraitConfig.TARGET_BOOTSTRAP_SERVERS), CONNECT_TIMEOUT)
                .ifPresent(problems::add);
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }
}

package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.gates.InputProvider;
import strait.gates.Refreshed;

/**
 * A gate input read from the clusters on a thread of its own, so a gate never waits on a cluster: every
 * {@code interval} (after the previous read ends) {@code read} runs there and its result is published with the time.
 * A read that throws publishes nothing (the input goes stale and its gate says so) and the schedule goes on. A
 * snapshot's problem (why a cluster could not be read) is logged when it appears, changes or clears, not every round.
 *
 * <p>Threads: {@code read} runs only on the thread named {@code threadName}, which therefore owns whatever it
 * uses; {@link #input} is read by the evaluation worker (a volatile snapshot); {@link #start} and {@link #stop} by
 * the composition root's thread.
 */
public final class PeriodicInput<T> {

    private static final Logger LOG = LoggerFactory.getLogger(PeriodicInput.class);

    private final String what;
    private final Supplier<T> read;
    private final Function<T, Optional<String>> problem;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private volatile Optional<Refreshed<T>> latest = Optional.empty();
    private String lastProblem = "";

    /**
     * @param what names the input in its log lines
     * @param problem a snapshot's problem, if any
     */
    PeriodicInput(
            String threadName,
            String what,
            Supplier<T> read,
            Function<T, Optional<String>> problem,
            Duration interval,
            Clock clock) {
        this.what = what;
        this.read = read;
        this.problem = problem;
        this.interval = interval;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * How often an input judged against {@code gates.stale.ms} is read: at most every 10 s, three times within
     * {@code gates.stale.ms}, but not more than once a second.
     */
    public static Duration refreshInterval(long staleMs) {
        return Duration.ofMillis(Math.max(1_000, Math.min(10_000, staleMs / 3)));
    }

    /** Schedules the reads, the first at once. */
    void start() {
        thread.scheduleWithFixedDelay(this::readOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void readOnce() {
        try {
            T snapshot = read.get();
            latest = Optional.of(Refreshed.of(snapshot, clock.instant()));
            logIfChanged(problem.apply(snapshot).orElse(""));
        } catch (RuntimeException e) {
            LOG.warn("{}: reading failed: {}", what, ErrorText.describe(e));
        }
    }

    private void logIfChanged(String now) {
        if (!now.equals(lastProblem)) {
            if (now.isEmpty()) {
                LOG.info("{}: the clusters are readable again", what);
            } else {
                LOG.warn("{}: {}", what, now);
            }
            lastProblem = now;
        }
    }

    InputProvider<T> input() {
        return () -> latest;
    }

    /** Stops the thread and waits up to {@code timeout} for a read under way; then what it owned may be closed. */
    void stop(Duration timeout) {
        thread.shutdownNow();
        try {
            thread.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.gates.InputProvider;
import strait.gates.Refreshed;

/**
 * A gate input read from the clusters on a thread of its own, so a gate never waits on a cluster: every
 * {@code interval} (after the previous read ends) {@code read} runs there and its result is published with the time.
 * A read that throws publishes nothing (the input goes stale and its gate says so) and the schedule goes on.
 *
 * <p>Threads: {@code read} runs only on the thread named {@code threadName}, which therefore owns whatever it
 * uses; {@link #input} is read by the evaluation worker (a volatile snapshot); {@link #start} and {@link #stop} by
 * the composition root's thread.
 */
final class PeriodicInput<T> {

    private static final Logger LOG = LoggerFactory.getLogger(PeriodicInput.class);

    private final String what;
    private final Supplier<T> read;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private volatile Optional<Refreshed<T>> latest = Optional.empty();

    /** @param what names the input in the log line of a failed read */
    PeriodicInput(String threadName, String what, Supplier<T> read, Duration interval, Clock clock) {
        this.what = what;
        this.read = read;
        this.interval = interval;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Schedules the reads, the first at once. */
    void start() {
        thread.scheduleWithFixedDelay(this::readOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void readOnce() {
        try {
            latest = Optional.of(Refreshed.of(read.get(), clock.instant()));
        } catch (RuntimeException e) {
            LOG.warn("{}: reading failed: {}", what, ErrorText.describe(e));
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

package strait.embedded;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Waiting in tests for something another thread or process does: one helper instead of a poll-until-deadline loop
 * in every test, failing with what it waited for, how long, and (when given) what it saw last.
 */
public final class Eventually {

    private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

    /** A condition that may do work to find out (poll a consumer, ask an endpoint), and may throw while at it. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Eventually() {}

    /**
     * Checks {@code condition} every 20 ms until it holds.
     *
     * @throws AssertionError naming {@code what} when it still does not hold after {@code within}
     */
    public static void eventually(String what, Duration within, Condition condition) {
        eventually(what, within, condition, () -> null);
    }

    /**
     * As {@link #eventually(String, Duration, Condition)}, the failure also saying what {@code lastSeen} returns then
     * (the last answer read, a process's stderr). An exception of the condition fails the wait at once.
     */
    public static void eventually(String what, Duration within, Condition condition, Supplier<String> lastSeen) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!check(what, condition)) {
            if (System.nanoTime() - deadline >= 0) {
                String seen = lastSeen.get();
                throw new AssertionError("timed out after " + within + " waiting for " + what
                        + (seen == null ? "" : "; last seen: " + seen));
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    private static boolean check(String what, Condition condition) {
        try {
            return condition.holds();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        } catch (Exception e) {
            throw new AssertionError("failed waiting for " + what + ": " + e, e);
        }
    }
}

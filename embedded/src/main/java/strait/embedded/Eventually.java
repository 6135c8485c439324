package strait.embedded;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting in tests for something another thread or process does: one helper instead of a poll-until-deadline loop
 * in every test, failing with what it waited for and how long.
 */
public final class Eventually {

    private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

    private Eventually() {}

    /**
     * Checks {@code condition} every 20 ms until it holds.
     *
     * @throws AssertionError naming {@code what} when it still does not hold after {@code within}
     */
    public static void eventually(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + within + " waiting for " + what);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}

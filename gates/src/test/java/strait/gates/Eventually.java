package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Poll-with-deadline: checks a condition every 20 ms until it holds or the deadline fails the test. */
final class Eventually {

    private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

    private Eventually() {}

    static void eventually(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}

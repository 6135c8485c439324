package strait.offsets;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaFuture;
import strait.config.ErrorText;

/** Waits for Admin futures with a deadline, unwrapping their failure. Only for worker threads, never an event loop. */
final class AdminCalls {

    private AdminCalls() {}

    /**
     * The future's value.
     *
     * @throws AdminCallException with the cause's class and message (never secrets: Kafka's errors do not carry them)
     */
    static <T> T await(KafkaFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new AdminCallException(what, cause);
        } catch (TimeoutException e) {
            throw new AdminCallException(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminCallException(what, e);
        }
    }

    /** An Admin call failed; {@link #getCause()} is Kafka's own exception. */
    static final class AdminCallException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AdminCallException(String what, Throwable cause) {
            super(what + ": " + ErrorText.describe(cause), cause);
        }
    }
}

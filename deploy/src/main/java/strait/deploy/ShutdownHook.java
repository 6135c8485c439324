package strait.deploy;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;

/** Keeps a long-running command alive until SIGTERM/Ctrl-C, then closes it within the JVM's shutdown. */
final class ShutdownHook {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownHook.class);

    private final CountDownLatch closed = new CountDownLatch(1);

    private ShutdownHook() {}

    /** Closes {@code resource} when the JVM is asked to stop, from now on (also while it is still starting). */
    static ShutdownHook register(AutoCloseable resource) {
        ShutdownHook hook = new ShutdownHook();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("stopping");
                            try {
                                resource.close();
                            } catch (Exception e) {
                                LOG.warn("stopping failed: {}", ErrorText.describe(e));
                            } finally {
                                hook.closed.countDown();
                            }
                        },
                        "strait-shutdown"));
        return hook;
    }

    /** Blocks the calling thread until the JVM is asked to stop and the resource is closed. */
    void await() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks the calling thread until the JVM is asked to stop, closing {@code resource} on the way out. */
    static void awaitTermination(AutoCloseable resource) {
        register(resource).await();
    }
}

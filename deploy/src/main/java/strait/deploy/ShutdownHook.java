package strait.deploy;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;

/** Keeps a long-running command alive until SIGTERM/Ctrl-C, then closes it within the JVM's shutdown. */
final class ShutdownHook {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownHook.class);

    private ShutdownHook() {}

    /** Blocks the calling thread until the JVM is asked to stop, closing {@code resource} on the way out. */
    static void awaitTermination(AutoCloseable resource) {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("stopping");
                            try {
                                resource.close();
                            } catch (Exception e) {
                                LOG.warn("stopping failed: {}", ErrorText.describe(e));
                            } finally {
                                closed.countDown();
                            }
                        },
                        "strait-shutdown"));
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

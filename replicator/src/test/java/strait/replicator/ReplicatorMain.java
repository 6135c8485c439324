package strait.replicator;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import strait.config.StraitConfig;
import strait.offsets.OffsetMapStore;
import strait.offsets.OffsetMaps;

/**
 * Runs a replicator from a properties file until killed: the child JVM of {@link CrashRecoveryIT}. Prints
 * {@code STARTED} once {@link Replicator#start()} returned.
 */
public final class ReplicatorMain {

    private ReplicatorMain() {}

    public static void main(String[] args) throws Exception {
        Properties properties = new Properties();
        try (InputStream in = new FileInputStream(args[0])) {
            properties.load(in);
        }
        StraitConfig config = StraitConfig.parse(properties);
        OffsetMapStore store = OffsetMapStore.open(config.targetClientProps(), config.linkName());
        Replicator replicator = new Replicator(config, new OffsetMaps(), store, new SimpleMeterRegistry());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            replicator.close();
            store.close();
        }));
        replicator.start();
        System.out.println("STARTED");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}

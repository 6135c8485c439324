package strait.benchmarks;

import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import strait.embedded.EmbeddedClusters;

/**
 * One single-node KRaft cluster in its own JVM, with the settings of {@link EmbeddedClusters}. Prints
 * {@code BOOTSTRAP host:port} on stdout once it serves, and stops (deleting its directories) when its standard
 * input closes or it is asked to stop: so it never outlives the harness that started it.
 */
public final class ClusterMain {

    static final String READY_PREFIX = "BOOTSTRAP ";

    private ClusterMain() {}

    public static void main(String[] args) throws IOException {
        KafkaClusterTestKit cluster = EmbeddedClusters.startSingleCluster(Map.of(
                // Room for a multi-GiB benchmark load without segment churn dominating.
                "log.segment.bytes", String.valueOf(256 * 1024 * 1024)));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                cluster.close();
                            } catch (Exception e) {
                                System.err.println("cluster did not stop cleanly: " + e.getMessage());
                            }
                        },
                        "cluster-stop"));
        System.out.println(READY_PREFIX + cluster.bootstrapServers());
        System.out.flush();
        while (System.in.read() != -1) {
            // Wait for the parent to close our stdin (or to die).
        }
        System.exit(0);
    }
}

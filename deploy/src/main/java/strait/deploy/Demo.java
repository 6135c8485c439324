package strait.deploy;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import strait.config.ErrorText;
import strait.config.StraitConfig;
import strait.embedded.EmbeddedClusters;

/**
 * {@code strait demo}: the whole product on one machine. Two embedded KRaft clusters, sample traffic on the source,
 * and the sidecar replicating it with its HTTP API; stops cleanly on Ctrl-C or SIGTERM and removes its directories.
 */
final class Demo implements AutoCloseable {

    /** System property choosing the demo's HTTP port (default 8080; 0 picks a free one). */
    static final String HTTP_PORT_PROPERTY = "strait.demo.http.port";

    private final EmbeddedClusters clusters;
    private DemoTraffic traffic;
    private Sidecar sidecar;

    private Demo(EmbeddedClusters clusters) {
        this.clusters = clusters;
    }

    static int run(PrintStream out) {
        Demo demo = start(out);
        ShutdownHook.awaitTermination(demo);
        return Main.OK;
    }

    static Demo start(PrintStream out) {
        long started = System.nanoTime();
        Demo demo = new Demo(startClusters());
        try {
            try (Admin admin = demo.clusters.sourceAdmin()) {
                demo.traffic = DemoTraffic.start(demo.clusters.sourceBootstrapServers(), admin);
            }
            demo.sidecar = Sidecar.start(StraitConfig.parse(demo.config()));
        } catch (Exception e) {
            demo.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException r
                    ? r
                    : new StartupException("demo failed to start: " + ErrorText.describe(e), e);
        }
        demo.printBanner(out, (System.nanoTime() - started) / 1_000_000);
        return demo;
    }

    /** The test kit prints its format step on stdout; the demo's stdout is for the operator, so send it to stderr. */
    private static EmbeddedClusters startClusters() {
        PrintStream stdout = System.out;
        System.setOut(System.err);
        try {
            return EmbeddedClusters.start();
        } finally {
            System.setOut(stdout);
        }
    }

    private Map<String, String> config() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(StraitConfig.SOURCE_BOOTSTRAP_SERVERS, clusters.sourceBootstrapServers());
        props.put(StraitConfig.TARGET_BOOTSTRAP_SERVERS, clusters.targetBootstrapServers());
        props.put(StraitConfig.TOPICS, "demo\\..*");
        props.put(StraitConfig.GROUPS, "demo\\..*");
        props.put(StraitConfig.TOPICS_REFRESH_INTERVAL_MS, "5000");
        props.put(StraitConfig.HTTP_PORT, System.getProperty(HTTP_PORT_PROPERTY, "8080"));
        return props;
    }

    private void printBanner(PrintStream out, long startMillis) {
        String base = "http://" + sidecar.httpAddress();
        out.println();
        out.println("Strait demo is running (started in " + startMillis + " ms). Ctrl-C stops it.");
        out.println("  source cluster:  " + clusters.sourceBootstrapServers());
        out.println("  target cluster:  " + clusters.targetBootstrapServers());
        out.println("  sample topics:   " + DemoTraffic.ORDERS + " (plain), " + DemoTraffic.CUSTOMERS + " (compacted), "
                + DemoTraffic.PAYMENTS + " (transactional, some aborted)");
        out.println("  sample groups:   " + String.join(", ", DemoTraffic.GROUPS));
        out.println("  running parts:   " + String.join(", ", sidecar.partNames()));
        out.println("  data dirs:       " + clusters.dataDirectories() + " (removed on exit)");
        out.println();
        out.println("  dashboard        " + base + "/");
        out.println("  health           " + base + "/health");
        out.println("  cutover gates    " + base + "/gates/ready");
        out.println("  status           " + base + "/status");
        out.println("  group offsets    " + base + "/offsets/groups/" + DemoTraffic.GROUPS.get(0));
        out.println("  translate        " + base + "/offsets/translate?topic=" + DemoTraffic.ORDERS
                + "&partition=0&offset=0");
        out.println("  metrics          " + base + "/metrics");
        out.flush();
    }

    @Override
    public void close() {
        closeQuietly(sidecar);
        closeQuietly(traffic);
        clusters.close();
    }

    private static void closeQuietly(AutoCloseable part) {
        if (part == null) {
            return;
        }
        try {
            part.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            System.err.println(
                    "strait demo: stopping " + part.getClass().getSimpleName() + " failed: " + ErrorText.describe(e));
        }
    }
}

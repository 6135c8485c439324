package strait.gates;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gates server on a fixed port with inputs the size of a mid-size link (64 partitions, 10 groups), refreshed
 * every second as the workers would: the target of the wrk load test in benchmarks/README.md. Runs until killed.
 *
 * <p>{@code java -cp gates/target/test-classes:gates/target/classes:<deps> strait.gates.GatesLoadServer 18080}
 */
public final class GatesLoadServer {

    private GatesLoadServer() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18080;
        Clock clock = Clock.systemUTC();
        FakeInputs inputs = new FakeInputs(clock);
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor();
        refresher.scheduleAtFixedRate(() -> refresh(inputs), 0, 1, TimeUnit.SECONDS);
        GatesServer server = new GatesServer(
                TestVertx.VERTX,
                new GatesSettings(
                        "127.0.0.1",
                        port,
                        Optional.empty(),
                        new GateThresholds(1_000, 5_000, 30_000, false),
                        Optional.empty(),
                        GatesSettings.EVALUATION_INTERVAL_DEFAULT),
                inputs.sources(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock);
        refresh(inputs);
        server.start();
        System.out.println("listening on http://" + server.address() + "/gates/ready");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            refresher.shutdownNow();
        }));
        Thread.currentThread().join();
    }

    private static void refresh(FakeInputs inputs) {
        List<PartitionLag> lag = new ArrayList<>();
        List<ResumePoint> points = new ArrayList<>();
        List<TopicParity> parity = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            parity.add(TopicParity.same("load-topic-" + t, 8));
            for (int p = 0; p < 8; p++) {
                lag.add(PartitionLag.running("load-topic-" + t, p, 1_000_000, 999_990, 999_995, 10, 3));
            }
        }
        for (int g = 0; g < 10; g++) {
            for (int p = 0; p < 8; p++) {
                points.add(ResumePoint.exact("load-group-" + g, "load-topic-" + (g % 8), p, 999_000, 999_004));
            }
        }
        inputs.lag(lag.toArray(PartitionLag[]::new))
                .resumePoints(points.toArray(ResumePoint[]::new))
                .topicParity(parity.toArray(TopicParity[]::new))
                .proxyNone();
    }
}

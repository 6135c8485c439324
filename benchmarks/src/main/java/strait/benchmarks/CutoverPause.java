package strait.benchmarks;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import strait.embedded.FreePorts;

/**
 * The write pause of a cutover through the producer proxy (benchmarks/README.md): on one source and one target
 * cluster (child JVMs), {@code --cutovers} times a fresh link (its own topics, {@code strait.jar run} with the proxy)
 * carries stock idempotent producers at {@code --rate} records/s through the proxy for {@code --warmup-seconds}
 * (the sidecar's JVM started just before) and then until {@code /gates/ready} passes with the default thresholds,
 * as the runbook says; then {@code POST /cutover} switches it. Per cutover: the longest gap between two acknowledgements of one producer, the fence's hold time and
 * the failed sends. Before the first: the produce latency at that rate direct to the source and through the proxy of a
 * sidecar whose link copies none of the measured topic, in alternating warmed rounds, so the figure is the proxy's
 * own cost and not the replicator's competition for the same cores. With {@code --consumer-groups N}, N groups of one
 * stock consumer each ({@link GroupReaders}) read the link's topics through the proxy as well, the cutover moves them,
 * and the longest pause in their consumption is measured too.
 *
 * <p>{@code java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) strait.benchmarks.CutoverPause
 * [--cutovers 20] [--rate 10000] [--producers 3] [--warmup-seconds 3] [--consumer-groups 0] [--work-dir D] [--output F.md] [--jar deploy/target/strait.jar]}
 */
public final class CutoverPause {

    private static final Pattern BOOTSTRAP = Pattern.compile(ClusterMain.READY_PREFIX + "(\\S+)");
    private static final Pattern API_URL = Pattern.compile("(http://[0-9A-Za-z.:\\[\\]-]+)/health");
    private static final List<String> CLUSTER_JVM =
            List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-Dlog4j2.configurationFile=bench-log4j2.xml");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int PARTITIONS = 4;

    private CutoverPause() {}

    /** One cutover's figures. */
    record Result(
            int run,
            String result,
            long startedAfterMs,
            long heldMs,
            double pauseMs,
            long acked,
            long failures,
            String reason,
            long consumerPauseMs,
            long processedMinusAcked,
            long reread,
            List<String> consumerErrors) {}

    public static void main(String[] args) throws Exception {
        int cutovers = 20;
        int rate = 10_000;
        int producers = 3;
        int warmupSeconds = 3;
        int groups = 0;
        Path work = Path.of("target", "cutover-pause");
        Path output = null;
        Path jar = Path.of("deploy", "target", "strait.jar");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cutovers" -> cutovers = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--producers" -> producers = Integer.parseInt(args[++i]);
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
                case "--consumer-groups" -> groups = Integer.parseInt(args[++i]);
                case "--work-dir" -> work = Path.of(args[++i]);
                case "--output" -> output = Path.of(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(work);
        String classpath = System.getProperty("java.class.path");
        Instant started = Instant.now();
        List<Result> results = new ArrayList<>();
        double[] direct;
        double[] proxied;
        try (Child source = Child.start(
                        "source-cluster",
                        Child.javaCommand(CLUSTER_JVM, classpath, ClusterMain.class.getName()),
                        work);
                Child target = Child.start(
                        "target-cluster",
                        Child.javaCommand(CLUSTER_JVM, classpath, ClusterMain.class.getName()),
                        work)) {
            String sourceBootstrap = source.awaitStdout(BOOTSTRAP, Duration.ofSeconds(120));
            String targetBootstrap = target.awaitStdout(BOOTSTRAP, Duration.ofSeconds(120));
            double[][] latency = latency(sourceBootstrap, targetBootstrap, jar, work, rate, producers);
            direct = latency[0];
            proxied = latency[1];
            System.out.printf("direct to the source: p50 %.2f ms, p99 %.2f ms%n", direct[0], direct[1]);
            System.out.printf("through the proxy: p50 %.2f ms, p99 %.2f ms%n", proxied[0], proxied[1]);
            for (int run = 1; run <= cutovers; run++) {
                Result r = cutover(
                        run, sourceBootstrap, targetBootstrap, jar, work, rate, producers, warmupSeconds, groups);
                results.add(r);
                System.out.println(r);
            }
        }
        String report = report(results, direct, proxied, rate, producers, warmupSeconds, groups, started);
        System.out.println(report);
        if (output != null) {
            Files.writeString(output, report);
        }
    }

    private static Result cutover(
            int run,
            String sourceBootstrap,
            String targetBootstrap,
            Path jar,
            Path work,
            int rate,
            int producers,
            int warmupSeconds,
            int groups)
            throws Exception {
        String link = "pause" + run + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
        List<String> topics = List.of(
                createTopics(sourceBootstrap, link + ".a", PARTITIONS),
                createTopics(sourceBootstrap, link + ".b", PARTITIONS));
        int port = FreePorts.range(3);
        try (Child strait = startSidecar(link, sourceBootstrap, targetBootstrap, port, jar, work)) {
            String base = strait.awaitStdout(API_URL, Duration.ofSeconds(60));
            awaitReady(base);
            PacedProducers load = new PacedProducers("127.0.0.1:" + port, topics, PARTITIONS, producers, rate);
            GroupReaders readers = new GroupReaders("127.0.0.1:" + port, link, topics, groups);
            long loadStarted = System.nanoTime();
            Thread.sleep(warmupSeconds * 1_000L);
            long readingSince = System.nanoTime();
            while (!readers.allReadAfter(loadStarted) && System.nanoTime() - readingSince < 30_000_000_000L) {
                Thread.sleep(50);
            }
            // As the runbook does: the cutover starts once /gates/ready passes (default lag window) under the load.
            HttpResponse<String> start;
            long startDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            do {
                awaitReady(base);
                start = HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/cutover"))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } while (start.statusCode() == 409 && System.nanoTime() < startDeadline);
            long startedAfterMs = (System.nanoTime() - loadStarted) / 1_000_000;
            long from = System.nanoTime() - 1_000_000_000L;
            JsonObject ended = null;
            if (start.statusCode() == 202) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline) {
                    JsonObject now = new JsonObject(HTTP.send(
                                    HttpRequest.newBuilder(URI.create(base + "/cutover"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body());
                    if (!now.getString("result").equals("running")) {
                        ended = now;
                        break;
                    }
                    Thread.sleep(20);
                }
            }
            Thread.sleep(2_000);
            long to = System.nanoTime();
            load.close();
            List<PacedProducers.Ack> acks = load.acks();
            // Every group reads on after the switch, and reads what was acknowledged, before the pause is read off.
            long drainDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((!readers.allReadAfter(to) || readers.processed() < (long) acks.size() * groups)
                    && System.nanoTime() < drainDeadline) {
                Thread.sleep(50);
            }
            Thread.sleep(500);
            readers.close();
            Map<String, Long> consumerPauses = readers.longestPausesMs(from, to);
            return new Result(
                    run,
                    ended == null ? "refused " + start.statusCode() + " " + start.body() : ended.getString("result"),
                    startedAfterMs,
                    ended == null ? 0 : ended.getLong("heldMs", 0L),
                    PacedProducers.longestGapMs(acks, producers, from, to),
                    acks.size(),
                    load.failures(),
                    ended == null ? "" : ended.getString("reason") + " " + load.firstFailures(),
                    consumerPauses.values().stream()
                            .mapToLong(Long::longValue)
                            .max()
                            .orElse(0),
                    readers.processed() - (long) acks.size() * groups,
                    readers.reread(),
                    readers.errors());
        }
    }

    /** {@code strait.jar run} for {@code link}, copying its {@code <link>.*} topics, with the proxy on {@code port}. */
    private static Child startSidecar(
            String link, String sourceBootstrap, String targetBootstrap, int port, Path jar, Path work)
            throws Exception {
        Properties p = new Properties();
        p.setProperty("source.bootstrap.servers", sourceBootstrap);
        p.setProperty("target.bootstrap.servers", targetBootstrap);
        p.setProperty("link.name", link);
        p.setProperty("topics", Pattern.quote(link) + "\\..*");
        p.setProperty("http.port", "0");
        p.setProperty("proxy.enabled", "true");
        p.setProperty("proxy.listen.port", Integer.toString(port));
        p.setProperty("proxy.broker.ports", "2");
        // The benchmark measures the pause of a real switch; it does not rehearse first (decision 0013).
        p.setProperty("gates.disabled", "rollback");
        Path file = work.resolve(link + ".properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "CutoverPause");
        }
        List<String> command = new ArrayList<>(
                List.of(Child.java(), "-jar", jar.toAbsolutePath().toString()));
        command.addAll(List.of("run", "--config", file.toString()));
        return Child.start("strait-" + link, command, work);
    }

    /**
     * Send-to-acknowledgement p50/p99 direct to the source ([0]) and through the proxy ([1]) at {@code rate}: one
     * sidecar whose link copies an idle topic only, so its replicator does not compete for the cores; a 10 s warm-up
     * through the proxy, then 3 alternating 10 s rounds of each, every round's first second dropped.
     */
    private static double[][] latency(
            String sourceBootstrap, String targetBootstrap, Path jar, Path work, int rate, int producers)
            throws Exception {
        String link = "latency-" + Long.toHexString(System.nanoTime() & 0xffffff);
        createTopics(sourceBootstrap, link + ".idle", 1);
        List<String> measured = List.of(createTopics(sourceBootstrap, "measured-" + link, PARTITIONS));
        int port = FreePorts.range(3);
        try (Child strait = startSidecar(link, sourceBootstrap, targetBootstrap, port, jar, work)) {
            awaitReady(strait.awaitStdout(API_URL, Duration.ofSeconds(60)));
            String proxy = "127.0.0.1:" + port;
            round(proxy, measured, rate, producers, 10_000);
            List<Long> direct = new ArrayList<>();
            List<Long> proxied = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                direct.addAll(round(sourceBootstrap, measured, rate, producers, 10_000));
                proxied.addAll(round(proxy, measured, rate, producers, 10_000));
            }
            return new double[][] {percentiles(direct), percentiles(proxied)};
        }
    }

    /** Latencies (ns) of one round of {@code millis} at {@code rate} through {@code bootstrap}, its first second dropped. */
    private static List<Long> round(String bootstrap, List<String> topics, int rate, int producers, long millis)
            throws Exception {
        PacedProducers load = new PacedProducers(bootstrap, topics, PARTITIONS, producers, rate);
        Thread.sleep(millis);
        load.close();
        List<PacedProducers.Ack> acks = load.acks();
        long after = acks.isEmpty() ? 0 : acks.get(0).sentNanos() + 1_000_000_000L;
        return acks.stream()
                .filter(a -> a.sentNanos() >= after)
                .map(a -> a.ackedNanos() - a.sentNanos())
                .toList();
    }

    private static double[] percentiles(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return new double[] {Percentiles.of(sorted, 0.50) / 1e6, Percentiles.of(sorted, 0.99) / 1e6};
    }

    private static void awaitReady(String base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/gates/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(base + "/gates/ready did not pass within 90 s");
    }

    private static String createTopics(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get();
        }
        return topic;
    }

    private static String report(
            List<Result> results,
            double[] direct,
            double[] proxied,
            int rate,
            int producers,
            int warmupSeconds,
            int groups,
            Instant started) {
        long[] pauses = results.stream()
                .mapToLong(r -> Math.round(r.pauseMs()))
                .sorted()
                .toArray();
        long[] held = results.stream().mapToLong(Result::heldMs).sorted().toArray();
        long switched =
                results.stream().filter(r -> r.result().equals("switched")).count();
        long failed = results.stream().mapToLong(Result::failures).sum();
        StringBuilder md = new StringBuilder();
        md.append("Cutover write pause, ")
                .append(results.size())
                .append(" cutovers at ")
                .append(rate)
                .append(" records/s (")
                .append(producers)
                .append(" idempotent acks=all producers, 512 B, 8 partitions, cutover after ")
                .append(warmupSeconds)
                .append(" s of writes; ")
                .append("started ")
                .append(started)
                .append(", machine: ")
                .append(Machine.describe())
                .append(")\n\n");
        md.append("| switched | failed sends | pause p50 | pause p99 | pause max | held p50 | held p99 |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        md.append(String.format(
                "| %d / %d | %d | %d ms | %d ms | %d ms | %d ms | %d ms |%n%n",
                switched,
                results.size(),
                failed,
                (long) Percentiles.of(pauses, 0.5),
                (long) Percentiles.of(pauses, 0.99),
                pauses.length == 0 ? 0 : pauses[pauses.length - 1],
                (long) Percentiles.of(held, 0.5),
                (long) Percentiles.of(held, 0.99)));
        if (groups > 0) {
            long[] consumerPauses =
                    results.stream().mapToLong(Result::consumerPauseMs).sorted().toArray();
            md.append(groups)
                    .append(" consumer groups (one stock consumer each, classic and consumer protocol alternating, ")
                    .append("committing after each poll) read through the proxy; longest pause in consumption per ")
                    .append("cutover (the longest gap between two polls returning records, over the groups):\n\n")
                    .append(
                            "| consumption pause p50 | p99 | max | processed − acknowledged×groups | re-read | errors |\n")
                    .append("| --- | --- | --- | --- | --- | --- |\n")
                    .append(String.format(
                            "| %d ms | %d ms | %d ms | %d | %d | %d |%n%n",
                            (long) Percentiles.of(consumerPauses, 0.5),
                            (long) Percentiles.of(consumerPauses, 0.99),
                            consumerPauses.length == 0 ? 0 : consumerPauses[consumerPauses.length - 1],
                            results.stream()
                                    .mapToLong(Result::processedMinusAcked)
                                    .sum(),
                            results.stream().mapToLong(Result::reread).sum(),
                            results.stream()
                                    .mapToLong(r -> r.consumerErrors().size())
                                    .sum()));
        }
        md.append("| produce latency at ").append(rate).append(" records/s | p50 | p99 |\n| --- | --- | --- |\n");
        md.append(String.format("| direct to the source | %.2f ms | %.2f ms |%n", direct[0], direct[1]));
        if (proxied != null) {
            md.append(String.format("| through the proxy | %.2f ms | %.2f ms |%n", proxied[0], proxied[1]));
        }
        md.append("\nPer cutover (started: after how long of writes POST /cutover was accepted):\n\n"
                + "| run | result | started | held | pause | acked | failed | consumption pause |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        results.forEach(r -> md.append(String.format(
                "| %d | %s | %d ms | %d ms | %.0f ms | %d | %d | %d ms |%n",
                r.run(),
                r.result(),
                r.startedAfterMs(),
                r.heldMs(),
                r.pauseMs(),
                r.acked(),
                r.failures(),
                r.consumerPauseMs())));
        return md.toString();
    }
}

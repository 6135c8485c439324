package strait.benchmarks;

import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
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

/**
 * The write pause of a cutover through the producer proxy (benchmarks/README.md): on one source and one target
 * cluster (child JVMs), {@code --cutovers} times a fresh link (its own topics, {@code strait.jar run} with the proxy)
 * carries stock idempotent producers at {@code --rate} records/s through the proxy, then {@code POST /cutover}
 * switches it. Per cutover: the longest gap between two acknowledgements of one producer, the fence's hold time and
 * the failed sends. Before the first: the produce latency direct to the source and through the proxy at that rate.
 *
 * <p>{@code java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) strait.benchmarks.CutoverPause
 * [--cutovers 20] [--rate 10000] [--producers 3] [--work-dir D] [--output F.md] [--jar deploy/target/strait.jar]}
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
    record Result(int run, String result, long heldMs, double pauseMs, long acked, long failures, String reason) {}

    public static void main(String[] args) throws Exception {
        int cutovers = 20;
        int rate = 10_000;
        int producers = 3;
        Path work = Path.of("target", "cutover-pause");
        Path output = null;
        Path jar = Path.of("deploy", "target", "strait.jar");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cutovers" -> cutovers = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--producers" -> producers = Integer.parseInt(args[++i]);
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
            direct = latency(sourceBootstrap, List.of(createTopics(sourceBootstrap, "direct", 1)), rate, producers);
            System.out.printf("direct to the source: p50 %.2f ms, p99 %.2f ms%n", direct[0], direct[1]);
            proxied = null;
            for (int run = 1; run <= cutovers; run++) {
                Result r = cutover(run, sourceBootstrap, targetBootstrap, jar, work, rate, producers);
                results.add(r);
                System.out.println(r);
                if (run == 1) {
                    proxied = lastProxiedLatency;
                    System.out.printf("through the proxy: p50 %.2f ms, p99 %.2f ms%n", proxied[0], proxied[1]);
                }
            }
        }
        String report = report(results, direct, proxied, rate, producers, started);
        System.out.println(report);
        if (output != null) {
            Files.writeString(output, report);
        }
    }

    private static double[] lastProxiedLatency;

    private static Result cutover(
            int run, String sourceBootstrap, String targetBootstrap, Path jar, Path work, int rate, int producers)
            throws Exception {
        String link = "pause" + run + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
        List<String> topics = List.of(
                createTopics(sourceBootstrap, link + ".a", PARTITIONS),
                createTopics(sourceBootstrap, link + ".b", PARTITIONS));
        int port = freePortRange(3);
        Properties p = new Properties();
        p.setProperty("source.bootstrap.servers", sourceBootstrap);
        p.setProperty("target.bootstrap.servers", targetBootstrap);
        p.setProperty("link.name", link);
        p.setProperty("topics", Pattern.quote(link) + "\\..*");
        p.setProperty("http.port", "0");
        p.setProperty("proxy.enabled", "true");
        p.setProperty("proxy.listen.port", Integer.toString(port));
        p.setProperty("proxy.broker.ports", "2");
        // The cutover drains to 0 itself; the lag gate only has to let it start under a steady load.
        p.setProperty("gates.lag.max.ms", "60000");
        p.setProperty("gates.lag.max.records", "100000000");
        Path file = work.resolve(link + ".properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "CutoverPause");
        }
        List<String> command = new ArrayList<>(
                List.of(Child.java(), "-jar", jar.toAbsolutePath().toString()));
        command.addAll(List.of("run", "--config", file.toString()));
        try (Child strait = Child.start("strait-" + link, command, work)) {
            String base = strait.awaitStdout(API_URL, Duration.ofSeconds(60));
            awaitReady(base);
            PacedProducers load = new PacedProducers("127.0.0.1:" + port, topics, PARTITIONS, producers, rate);
            Thread.sleep(3_000);
            if (run == 1) {
                lastProxiedLatency = percentiles(load.acks());
            }
            long from = System.nanoTime() - 1_000_000_000L;
            HttpResponse<String> start = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/cutover"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
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
            return new Result(
                    run,
                    ended == null ? "refused " + start.statusCode() + " " + start.body() : ended.getString("result"),
                    ended == null ? 0 : ended.getLong("heldMs", 0L),
                    PacedProducers.longestGapMs(acks, producers, from, to),
                    acks.size(),
                    load.failures(),
                    ended == null ? "" : ended.getString("reason") + " " + load.firstFailures());
        }
    }

    private static double[] latency(String bootstrap, List<String> topics, int rate, int producers) throws Exception {
        PacedProducers load = new PacedProducers(bootstrap, topics, 1, producers, rate);
        Thread.sleep(5_000);
        load.close();
        return percentiles(load.acks());
    }

    /** p50 and p99 of send-to-acknowledgement, in ms, over the second half of the samples (past the warm-up). */
    private static double[] percentiles(List<PacedProducers.Ack> acks) {
        long[] latencies = acks.subList(acks.size() / 2, acks.size()).stream()
                .mapToLong(a -> a.ackedNanos() - a.sentNanos())
                .sorted()
                .toArray();
        return new double[] {Percentiles.of(latencies, 0.50) / 1e6, Percentiles.of(latencies, 0.99) / 1e6};
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

    private static int freePortRange(int count) throws Exception {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + (int) (Math.random() * 12_000);
            boolean free = true;
            for (int port = base; port < base + count && free; port++) {
                try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    socket.setReuseAddress(true);
                } catch (java.io.IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range");
    }

    private static String report(
            List<Result> results, double[] direct, double[] proxied, int rate, int producers, Instant started) {
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
                .append(" idempotent acks=all producers, 512 B, 8 partitions; ")
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
        md.append("| produce latency at ").append(rate).append(" records/s | p50 | p99 |\n| --- | --- | --- |\n");
        md.append(String.format("| direct to the source | %.2f ms | %.2f ms |%n", direct[0], direct[1]));
        if (proxied != null) {
            md.append(String.format("| through the proxy | %.2f ms | %.2f ms |%n", proxied[0], proxied[1]));
        }
        md.append(
                "\nPer cutover:\n\n| run | result | held | pause | acked | failed |\n| --- | --- | --- | --- | --- | --- |\n");
        results.forEach(r -> md.append(String.format(
                "| %d | %s | %d ms | %.0f ms | %d | %d |%n",
                r.run(), r.result(), r.heldMs(), r.pauseMs(), r.acked(), r.failures())));
        return md.toString();
    }
}

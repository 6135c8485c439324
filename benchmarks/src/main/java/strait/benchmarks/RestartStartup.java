package strait.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Start-up to first record of a link that already ran (issue 14), which the side-by-side harness does not measure
 * (every run there is a fresh link): per repeat, Strait copies N records, is stopped cleanly (SIGTERM, so it releases
 * the fence), N more records are loaded, and Strait starts again on the same link; the figure is launch of
 * {@code java -jar strait.jar} to the first of the new records on the target (end offsets polled every 20 ms).
 *
 * <p>{@code java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
 * strait.benchmarks.RestartStartup [--strait-jar deploy/target/strait.jar] [--repeats 3] [--records 200000]
 * [--work-dir DIR]}. Main thread only.
 */
public final class RestartStartup {

    static {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "bench-log4j2.xml");
        }
    }

    private static final Pattern BOOTSTRAP = Pattern.compile(ClusterMain.READY_PREFIX + "(\\S+)");
    private static final List<String> CLUSTER_JVM =
            List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-Dlog4j2.configurationFile=bench-log4j2.xml");
    private static final Pattern RUNNING = Pattern.compile("(strait is running)");
    private static final int PARTITIONS = 8;
    private static final int SIZE = 512;

    private RestartStartup() {}

    public static void main(String[] args) throws Exception {
        List<Path> jars = List.of(Path.of("deploy", "target", "strait.jar"));
        Path workDir = Path.of("benchmarks", "target", "restart-startup");
        int repeats = 3;
        long records = 200_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--strait-jar" ->
                    jars = java.util.Arrays.stream(args[i + 1].split(","))
                            .map(Path::of)
                            .toList();
                case "--work-dir" -> workDir = Path.of(args[i + 1]);
                case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                case "--records" -> records = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(workDir);
        String classpath = System.getProperty("java.class.path");
        Map<Path, List<Double>> fresh = new java.util.LinkedHashMap<>();
        Map<Path, List<Double>> restart = new java.util.LinkedHashMap<>();
        jars.forEach(j -> {
            fresh.put(j, new ArrayList<>());
            restart.put(j, new ArrayList<>());
        });
        try (Child source = Child.start(
                        "source-cluster",
                        Child.javaCommand(CLUSTER_JVM, classpath, ClusterMain.class.getName()),
                        workDir);
                Child target = Child.start(
                        "target-cluster",
                        Child.javaCommand(CLUSTER_JVM, classpath, ClusterMain.class.getName()),
                        workDir)) {
            String sourceBootstrap = source.awaitStdout(BOOTSTRAP, Duration.ofSeconds(120));
            String targetBootstrap = target.awaitStdout(BOOTSTRAP, Duration.ofSeconds(120));
            try (Admin sourceAdmin = admin(sourceBootstrap);
                    Admin targetAdmin = admin(targetBootstrap)) {
                for (int r = 0; r < repeats; r++) {
                    // Several jars take turns on the same brokers, the first one changing from repeat to repeat.
                    List<Path> order = new ArrayList<>(jars);
                    java.util.Collections.rotate(order, -r);
                    for (Path jar : order) {
                        String runId = "restart-r" + r + "-j" + jars.indexOf(jar);
                        String topic = "bench-" + runId;
                        SideBySide.createAndAwaitLeaders(
                                sourceAdmin, List.of(new NewTopic(topic, PARTITIONS, (short) 1)));
                        Loader.load(sourceBootstrap, topic, PARTITIONS, records, SIZE, "lz4", r);
                        RunSpec spec = new RunSpec(
                                runId, sourceBootstrap, targetBootstrap, topic, topic, List.of(), "lz4", true, workDir);
                        StraitJar strait = new StraitJar(jar, List.of(), 1);
                        fresh.get(jar)
                                .add(run(strait, spec, runId + "-first", targetAdmin, topic, 0, records, workDir));
                        Loader.load(sourceBootstrap, topic, PARTITIONS, records, SIZE, "lz4", r + 100);
                        restart.get(jar)
                                .add(run(
                                        strait,
                                        spec,
                                        runId + "-again",
                                        targetAdmin,
                                        topic,
                                        records,
                                        2 * records,
                                        workDir));
                        sourceAdmin.deleteTopics(List.of(topic)).all().get();
                    }
                }
            }
        }
        for (Path jar : jars) {
            System.out.println(
                    jar + ": fresh link start-up s " + fresh.get(jar) + "; restart start-up s " + restart.get(jar));
        }
        System.exit(0);
    }
    /** Starts Strait, returns seconds from launch to the first record past {@code before}; copies to {@code all}. */
    private static double run(
            StraitJar strait,
            RunSpec spec,
            String name,
            Admin target,
            String topic,
            long before,
            long all,
            Path workDir)
            throws Exception {
        log(name + ": starting; load average " + Machine.loadAverage());
        try (Child child = strait.start(spec)) {
            LocalTime launched = LocalTime.now().minusNanos(System.nanoTime() - child.startNanos());
            double first = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline) {
                if (!child.isAlive()) {
                    throw new IllegalStateException(name + " exited; stderr tail: " + child.stderrTail());
                }
                long count = CopyWatcher.endOffsetSum(target, topic, PARTITIONS, before > 0 || first >= 0);
                long now = System.nanoTime();
                if (count > before && first < 0) {
                    first = (now - child.startNanos()) / 1e9;
                    log(String.format(
                            "%s: launched at %s, first record at %s: start-up %.2f s",
                            name, launched, launched.plusNanos((long) (first * 1e9)), first));
                }
                if (count >= all) {
                    // Stopped only once it runs: a SIGTERM during start-up ends it without releasing the fence, and
                    // the next start would wait out the grace.
                    child.awaitStdout(RUNNING, Duration.ofSeconds(60));
                    child.stop(Duration.ofSeconds(15));
                    Files.move(
                            workDir.resolve("strait-" + spec.runId() + ".err"),
                            workDir.resolve(name + ".err"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return first;
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException(name + ": copy not done within 120 s");
        }
    }

    private static void log(String message) {
        System.out.println("[" + LocalTime.now() + "] " + message);
    }

    private static Admin admin(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(props);
    }
}

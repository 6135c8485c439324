package strait.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Strait against MirrorMaker 2, side by side, on the same brokers: a source and a target single-node KRaft cluster,
 * each in its own JVM; per compression and repeat, a fresh source topic loaded with N records and a few consumer
 * groups committed part-way; then each replicator in its own process (alternating which goes first) copies it, and
 * the harness measures throughput, start-up, CPU per GiB, peak RSS, latency at a fixed rate and offset translation.
 * Every child process is stopped at the end, on failure and on Ctrl-C.
 */
public final class SideBySide {

    static {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "bench-log4j2.xml");
        }
    }

    private static final Pattern BOOTSTRAP = Pattern.compile(ClusterMain.READY_PREFIX + "(\\S+)");
    private static final List<String> CLUSTER_JVM =
            List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-Dlog4j2.configurationFile=bench-log4j2.xml");

    private SideBySide() {}

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SideBySide: " + e.getMessage());
            System.err.println(Settings.USAGE);
            System.exit(2);
            return;
        }
        int code = run(settings);
        System.exit(code);
    }

    static int run(Settings s) throws Exception {
        Instant started = Instant.now();
        Files.createDirectories(s.workDir());
        String classpath = System.getProperty("java.class.path");
        String machine = Machine.describe();
        System.out.println("side by side: " + s);
        System.out.println("machine: " + machine);
        List<RunResult> results = new ArrayList<>();
        Map<String, LatencyProbe.Latency> baselines = new LinkedHashMap<>();
        try (Child source = Child.start(
                        "source-cluster",
                        Child.javaCommand(CLUSTER_JVM, classpath, ClusterMain.class.getName()),
                        s.workDir());
                Child target = Child.start(
                        "target-cluster",
                        Child.javaCommand(CLUSTER_JVM, classpath, ClusterMain.class.getName()),
                        s.workDir())) {
            String sourceBootstrap = source.awaitStdout(BOOTSTRAP, Duration.ofSeconds(120));
            String targetBootstrap = target.awaitStdout(BOOTSTRAP, Duration.ofSeconds(120));
            System.out.println("source cluster " + sourceBootstrap + " (pid "
                    + source.handle().pid() + "), target cluster " + targetBootstrap + " (pid "
                    + target.handle().pid() + ")");
            Map<String, Replicator> replicators = new LinkedHashMap<>();
            for (String name : s.replicators()) {
                replicators.put(
                        name,
                        name.equals("strait")
                                ? new StraitJar(s.straitJar(), s.straitJvmOpts(), s.straitPipelines())
                                : new MirrorMaker2(classpath, s.mm2JvmOpts()));
            }
            try (Admin sourceAdmin = admin(sourceBootstrap);
                    Admin targetAdmin = admin(targetBootstrap)) {
                // Repeat-major: a run cut short still has every compression once.
                int round = 0;
                for (int repeat = 0; repeat < s.repeats(); repeat++) {
                    for (String compression : s.compressions()) {
                        try {
                            results.addAll(repeat(
                                    s,
                                    compression,
                                    repeat,
                                    round,
                                    replicators,
                                    baselines,
                                    sourceBootstrap,
                                    targetBootstrap,
                                    sourceAdmin,
                                    targetAdmin));
                        } catch (Exception e) {
                            System.out.println("round " + compression + " repeat " + repeat + " FAILED: " + e);
                            for (String name : replicators.keySet()) {
                                results.add(RunResult.failed(
                                        name, compression, repeat, -1, "round failed before or after the runs: " + e));
                            }
                        }
                        round++;
                        write(
                                s,
                                machine,
                                started,
                                results,
                                baselines,
                                "partial: " + round + " of "
                                        + s.repeats() * s.compressions().size() + " rounds done");
                    }
                }
            }
        }
        String report = write(s, machine, started, results, baselines, "complete");
        System.out.println();
        System.out.println(report);
        System.out.println("written to " + s.output().toAbsolutePath());
        return results.stream().allMatch(RunResult::ok) ? 0 : 1;
    }

    /** Writes the report so far to the output file (after every round, so a run cut short keeps its figures). */
    private static String write(
            Settings s,
            String machine,
            Instant started,
            List<RunResult> results,
            Map<String, LatencyProbe.Latency> baselines,
            String state)
            throws IOException {
        Duration took = Duration.between(started, Instant.now());
        String report = "Settings: " + s + "\n\nMachine at start: " + machine + "; now: load average "
                + Machine.loadAverage() + ".\n\nState: " + state + "; took " + took.toSeconds() + " s.\n\n"
                + Report.table(results, s.compressions()) + Report.baselines(baselines) + "\n```\n"
                + Report.runLines(results) + "```\n";
        Files.writeString(s.output(), report);
        return report;
    }

    /**
     * The latency floor of the harness itself: the same probe, producing to and consuming from one source topic,
     * with no replicator in between.
     */
    private static LatencyProbe.Latency baseline(
            Settings s, String compression, String runId, String bootstrap, Admin admin) throws Exception {
        String topic = "base-" + runId;
        createAndAwaitLeaders(admin, List.of(new NewTopic(topic, s.partitions(), (short) 1)));
        try {
            RunSpec spec =
                    new RunSpec(runId, bootstrap, bootstrap, topic, topic, List.of(), compression, false, s.workDir());
            int seconds = Math.min(10, s.latencySeconds());
            LatencyProbe.Latency latency =
                    LatencyProbe.measure(spec, topic, s.partitions(), s.latencyRate(), seconds, s.size());
            System.out.printf(
                    "[%s] brokers only (%s): %s%n", java.time.LocalTime.now().withNano(0), compression, latency);
            return latency;
        } finally {
            admin.deleteTopics(List.of(topic)).all().get();
        }
    }

    private static List<RunResult> repeat(
            Settings s,
            String compression,
            int repeat,
            int round,
            Map<String, Replicator> replicators,
            Map<String, LatencyProbe.Latency> baselines,
            String sourceBootstrap,
            String targetBootstrap,
            Admin sourceAdmin,
            Admin targetAdmin)
            throws Exception {
        String runId = compression + "-r" + repeat;
        String bulk = "bench-" + runId;
        List<String> names = new ArrayList<>(replicators.keySet());
        java.util.Collections.rotate(names, -(round % names.size()));
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(bulk, s.partitions(), (short) 1));
        for (String name : names) {
            topics.add(new NewTopic(latencyTopic(runId, name), s.partitions(), (short) 1));
        }
        createAndAwaitLeaders(sourceAdmin, topics);
        double loadSeconds =
                Loader.load(sourceBootstrap, bulk, s.partitions(), s.records(), s.size(), compression, repeat);
        Optional<Long> onDisk = SourceSize.bytesOnDisk(sourceAdmin, bulk);
        System.out.printf(
                "[%s] loaded %,d records of %d bytes into %s (%s) in %.1f s%s%n",
                java.time.LocalTime.now().withNano(0),
                s.records(),
                s.size(),
                bulk,
                compression,
                loadSeconds,
                onDisk.map(b -> String.format(
                                ", %,.0f MiB on disk (%.0f%% of the payload)",
                                b / RunResult.MIB, 100.0 * b / (s.records() * (double) s.size())))
                        .orElse(""));
        if (repeat == 0) {
            baselines.put(compression, baseline(s, compression, runId, sourceBootstrap, sourceAdmin));
        }
        Map<Integer, Long> ends = CopyWatcher.endOffsets(sourceAdmin, bulk, s.partitions());
        Map<String, Map<Integer, Long>> committed = new HashMap<>();
        List<String> groups = new ArrayList<>();
        for (int g = 0; g < s.groups(); g++) {
            String group = bulk + "-g" + g;
            Map<Integer, Long> positions = GroupOffsets.positions(g, s.groups(), ends, repeat);
            GroupOffsets.commit(sourceAdmin, group, bulk, positions);
            committed.put(group, positions);
            groups.add(group);
        }
        List<RunResult> results = new ArrayList<>();
        try {
            for (int order = 0; order < names.size(); order++) {
                String name = names.get(order);
                RunSpec spec = new RunSpec(
                        runId,
                        sourceBootstrap,
                        targetBootstrap,
                        bulk,
                        latencyTopic(runId, name),
                        groups,
                        compression,
                        s.sameCodecOnTarget(),
                        s.workDir());
                results.add(Measurement.run(replicators.get(name), spec, s, repeat, order, targetAdmin, committed));
            }
        } finally {
            List<String> delete = new ArrayList<>();
            topics.forEach(t -> delete.add(t.name()));
            sourceAdmin.deleteTopics(delete).all().get();
        }
        return results;
    }

    /**
     * Creates the topics and waits until every partition has a leader: producing into a partition whose leader is
     * not known yet can leave an idempotent producer retrying out-of-order sequences until its batches expire.
     */
    static void createAndAwaitLeaders(Admin admin, List<NewTopic> topics) throws Exception {
        admin.createTopics(topics).all().get();
        List<String> names = topics.stream().map(NewTopic::name).toList();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                boolean ready = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                // Not visible yet.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + names + " have no leaders after 60 s");
            }
            Thread.sleep(100);
        }
    }

    static String latencyTopic(String runId, String replicator) {
        return "lat-" + runId + "-" + replicator;
    }

    private static Admin admin(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(props);
    }
}

package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;
import static strait.replicator.Fixtures.*;

import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;

/**
 * The replicator runs in a child JVM that is killed with SIGKILL at random moments while the source is written; after
 * every restart, and finally, each committed source record is on the target exactly once, in order, as a
 * {@code read_uncommitted} consumer sees it.
 */
class CrashRecoveryIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final int KILLS = 6;

    @Test
    void killNineAtRandomMomentsLosesAndDuplicatesNothing() throws Exception {
        String topic = "crash-plain";
        String txTopic = "crash-tx";
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(admin, topic, 3, Map.of());
            createTopic(admin, txTopic, 2, Map.of());
        }
        Map<String, String> props =
                config(CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), "crash-.*", "crash-link");
        // Two pipelines: partitions spread over two fetcher/sender pairs must come through the kills all the same.
        props.put(StraitConfig.REPLICATION_PIPELINES, "2");
        Path dir = Files.createDirectories(Path.of("target", "crash-it"));
        File file = childConfig(dir, props);

        String classPath = privateClassPath(dir);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> write(topic, txTopic, 100, writing, written, writerFailure), "source-writer");
        writer.start();
        Random random = new Random();
        List<Long> killedAfterMs = new ArrayList<>();
        List<Long> targetEnds = new ArrayList<>();
        try {
            for (int kill = 0; kill < KILLS; kill++) {
                Path log = dir.resolve("child-" + kill + ".log");
                Process child = launch(classPath, file, log.toFile());
                try {
                    eventually(
                            "child " + kill + " started replicating",
                            Duration.ofSeconds(60),
                            () -> Files.exists(log) && contains(log, "STARTED") || !child.isAlive());
                    assertThat(child.isAlive())
                            .as("child %d is alive; see %s", kill, log)
                            .isTrue();
                    long lifetime = random.nextInt(3_000);
                    boolean exited = child.waitFor(lifetime, TimeUnit.MILLISECONDS);
                    assertThat(exited)
                            .as("child %d exited on its own; see its log", kill)
                            .isFalse();
                    killedAfterMs.add(lifetime);
                } finally {
                    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
                targetEnds.add(targetRecords(topic));
            }
        } finally {
            writing.set(false);
            writer.join(60_000);
        }
        assertThat(writerFailure.get()).isNull();
        System.out.printf(
                "killed the child replicator %d times, %s ms after it started; target end offsets of %s "
                        + "after each kill %s; %d records written%n",
                KILLS, killedAfterMs, topic, targetEnds, written.get());
        long progressed = java.util.stream.IntStream.range(1, targetEnds.size())
                .filter(i -> targetEnds.get(i) > targetEnds.get(i - 1))
                .count();
        assertThat(progressed)
                .as("the children replicated between kills: %s", targetEnds)
                .isGreaterThanOrEqualTo(KILLS / 2);

        // A last child runs until the target holds every committed record, then stops cleanly (SIGTERM). It runs
        // in a child too: Strait's jars in the local repository may be reinstalled by other builds meanwhile.
        long plainRecords = count(readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed"));
        long txRecords = count(readAll(CLUSTERS.sourceBootstrapServers(), txTopic, "read_committed"));
        Path lastLog = dir.resolve("child-last.log");
        Process last = launch(classPath, file, lastLog.toFile());
        try {
            eventually(
                    "the last child started",
                    Duration.ofSeconds(60),
                    () -> contains(lastLog, "STARTED") || !last.isAlive());
            eventually(
                    "the target holds every committed record",
                    Duration.ofMinutes(2),
                    () -> targetRecordsUnchecked(topic) >= plainRecords
                            && targetRecordsUnchecked(txTopic) >= txRecords);
        } finally {
            last.destroy();
            if (!last.waitFor(30, TimeUnit.SECONDS)) {
                last.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertThat(Files.readString(lastLog)).contains("STARTED").doesNotContain("stopped replicating");

        for (String t : List.of(topic, txTopic)) {
            var source = readAll(CLUSTERS.sourceBootstrapServers(), t, "read_committed");
            var target = readAll(CLUSTERS.targetBootstrapServers(), t, "read_uncommitted");
            assertThat(count(source)).as("records written to %s", t).isGreaterThan(1_000);
            assertIdentical(source, target);
        }
    }

    /**
     * An older instance frozen (SIGSTOP, as a long GC pause or a paused VM would) while it copies, a new instance
     * takes over, then the old one thaws: the lease cannot stop what it sends on waking, but both write as the link's
     * producer with each record's target offset as its sequence, so the leaders take each record once whoever sends
     * it (docs/decisions/0004). What must hold: the old instance stops all its partitions, the new one none, and the
     * target is identical to the source.
     */
    @Test
    void anOlderInstanceFrozenPastTheFenceNeverDoublesARecord() throws Exception {
        String topic = "frozen-plain";
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            createTopic(admin, topic, 3, Map.of());
        }
        Map<String, String> props = config(
                CLUSTERS.sourceBootstrapServers(), CLUSTERS.targetBootstrapServers(), exactly(topic), "frozen-link");
        Path dir = Files.createDirectories(Path.of("target", "frozen-it"));
        File file = childConfig(dir, props);
        String classPath = privateClassPath(dir);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        // Fast (200 records every 5 ms), so the old instance is likely frozen with a batch in hand.
        Thread writer = new Thread(() -> write(topic, null, 5, writing, written, writerFailure), "frozen-writer");
        writer.start();
        Path oldLog = dir.resolve("old.log");
        Path newLog = dir.resolve("new.log");
        Process old = launch(classPath, file, oldLog.toFile());
        Process fresh = null;
        try {
            eventually(
                    "the old instance started",
                    Duration.ofSeconds(60),
                    () -> contains(oldLog, "STARTED") || !old.isAlive());
            Thread.sleep(500 + new Random().nextInt(1_000)); // a random moment while it copies the writer's records
            signal("STOP", old);
            fresh = launch(classPath, file, newLog.toFile());
            Process started = fresh;
            eventually(
                    "the new instance started",
                    Duration.ofSeconds(60),
                    () -> contains(newLog, "STARTED") || !started.isAlive());
            eventually("the new instance copies", Duration.ofSeconds(60), () -> contains(newLog, "resumes at"));
            long resumedAt = targetRecordsUnchecked(topic);
            eventually(
                    "the new instance has written before the old one thaws",
                    Duration.ofSeconds(60),
                    () -> targetRecordsUnchecked(topic) >= resumedAt + 2_000);
            signal("CONT", old);
            // It learns so from the fence at its next batch, or from the new instance's records past its position.
            eventually(
                    "the thawed instance stops every partition",
                    Duration.ofSeconds(60),
                    () -> stoppedAll(oldLog, topic));
            // more records of the new instance's own, so that a late write of the old one is followed by them
            long thawedAt = targetRecordsUnchecked(topic);
            eventually(
                    "the new instance writes on",
                    Duration.ofSeconds(60),
                    () -> targetRecordsUnchecked(topic) >= thawedAt + 2_000 || stoppedAll(newLog, topic));
        } finally {
            writing.set(false);
            writer.join(60_000);
        }
        assertThat(writerFailure.get()).isNull();
        try {
            eventually("every partition caught up or stopped", Duration.ofMinutes(2), () -> {
                Map<Integer, Long> sourceEnds = endsUnchecked(CLUSTERS.sourceBootstrapServers(), topic, 3);
                Map<Integer, Long> targetEnds = endsUnchecked(CLUSTERS.targetBootstrapServers(), topic, 3);
                return java.util.stream.IntStream.range(0, 3)
                        .allMatch(p -> contains(newLog, "stopped replicating " + topic + "-" + p + ":")
                                || targetEnds.getOrDefault(p, -1L) >= sourceEnds.getOrDefault(p, Long.MAX_VALUE));
            });
        } finally {
            old.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            fresh.destroy();
            if (!fresh.waitFor(30, TimeUnit.SECONDS)) {
                fresh.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        var source = readAll(CLUSTERS.sourceBootstrapServers(), topic, "read_committed");
        var target = readAll(CLUSTERS.targetBootstrapServers(), topic, "read_uncommitted");
        for (int p = 0; p < 3; p++) {
            assertThat(contains(newLog, "stopped replicating " + topic + "-" + p + ":"))
                    .as("the new instance stopped partition %d", p)
                    .isFalse();
        }
        assertIdentical(source, target);
        long refusedOld = Files.readAllLines(oldLog).stream()
                .filter(l -> l.contains("OutOfOrderSequence"))
                .count();
        long refusedNew = Files.readAllLines(newLog).stream()
                .filter(l -> l.contains("OutOfOrderSequence"))
                .count();
        System.out.printf(
                "frozen older instance: %d source records, all on the target once; sequence refusals logged "
                        + "by the old instance %d, by the new one %d%n",
                count(source), refusedOld, refusedNew);
    }

    private static boolean stoppedAll(Path log, String topic) {
        return java.util.stream.IntStream.range(0, 3)
                .allMatch(p -> contains(log, "stopped replicating " + topic + "-" + p + ":"));
    }

    private static void signal(String signal, Process process) throws Exception {
        // bash's own kill, so no kill binary (procps) has to be installed
        Process kill = new ProcessBuilder("bash", "-c", "kill -" + signal + " " + process.pid())
                .inheritIO()
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0)
                .as("kill -%s", signal)
                .isTrue();
    }

    /** End offsets of partitions 0..partitions-1 of {@code topic} on one cluster; empty when they cannot be read. */
    private static Map<Integer, Long> endsUnchecked(String bootstrap, String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request =
                    new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(
                        new org.apache.kafka.common.TopicPartition(topic, p),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            Map<Integer, Long> ends = new java.util.HashMap<>();
            admin.listOffsets(request)
                    .all()
                    .get(10, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
            return ends;
        } catch (Exception e) {
            return Map.of();
        }
    }

    private static boolean contains(Path log, String text) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static long targetRecordsUnchecked(String topic) {
        try {
            return targetRecords(topic);
        } catch (Exception e) {
            return -1;
        }
    }

    /** Sum of the target's end offsets of {@code topic} (0 before it exists). */
    private static long targetRecords(String topic) throws Exception {
        try (Admin admin = CLUSTERS.clusters().targetAdmin()) {
            if (!admin.listTopics().names().get().contains(topic)) {
                return 0;
            }
            var partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions();
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request =
                    new java.util.HashMap<>();
            partitions.forEach(p -> request.put(
                    new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                    org.apache.kafka.clients.admin.OffsetSpec.latest()));
            return admin.listOffsets(request).all().get().values().stream()
                    .mapToLong(i -> i.offset())
                    .sum();
        }
    }

    /**
     * This JVM's class path with Strait's own jars copied aside: other builds may reinstall them in the local
     * repository while the children run.
     */
    private static String privateClassPath(Path dir) throws java.io.IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (entry.contains("io" + File.separator + "strait") && Files.isRegularFile(path)) {
                Path copy = lib.resolve(path.getFileName());
                Files.copy(path, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                entries.add(copy.toString());
            } else {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Writes the children's configuration file into {@code dir}. */
    private static File childConfig(Path dir, Map<String, String> props) throws java.io.IOException {
        File file = dir.resolve("replicator.properties").toFile();
        Properties properties = new Properties();
        properties.putAll(props);
        try (OutputStream out = new FileOutputStream(file)) {
            properties.store(out, "CrashRecoveryIT child replicator");
        }
        return file;
    }

    private static Process launch(String classPath, File config, File log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=log4j2-strait.xml",
                "-cp",
                classPath,
                ReplicatorMain.class.getName(),
                config.getAbsolutePath());
        builder.redirectErrorStream(true);
        builder.redirectOutput(log);
        return builder.start();
    }

    /**
     * Writes plain records to one topic and, unless it is null, transactions, a third of them aborted, to the other;
     * pausing {@code pauseMs} after each round of 200 records.
     */
    private static void write(
            String topic,
            String txTopic,
            long pauseMs,
            AtomicBoolean writing,
            AtomicLong written,
            AtomicReference<Throwable> failure) {
        try (KafkaProducer<byte[], byte[]> plain = producer(CLUSTERS.sourceBootstrapServers(), Map.of());
                KafkaProducer<byte[], byte[]> tx = producer(
                        CLUSTERS.sourceBootstrapServers(),
                        Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "crash-writer"))) {
            if (txTopic != null) {
                tx.initTransactions();
            }
            long n = 0;
            while (writing.get()) {
                for (int i = 0; i < 200; i++, n++) {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add("seq", Long.toString(n).getBytes(StandardCharsets.UTF_8));
                    plain.send(new ProducerRecord<>(
                            topic,
                            (int) (n % 3),
                            System.currentTimeMillis(),
                            ("k" + n % 97).getBytes(StandardCharsets.UTF_8),
                            ("value-" + n).getBytes(StandardCharsets.UTF_8),
                            headers));
                }
                if (txTopic != null) {
                    tx.beginTransaction();
                    for (int i = 0; i < 20; i++) {
                        tx.send(new ProducerRecord<>(
                                txTopic, i % 2, null, ("tx-" + n + "-" + i).getBytes(StandardCharsets.UTF_8)));
                    }
                    if (n % 3 == 0) {
                        tx.abortTransaction();
                    } else {
                        tx.commitTransaction();
                    }
                }
                plain.flush();
                written.set(n);
                Thread.sleep(pauseMs); // paces the writer so the test runs a fixed wall time, not a busy loop
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }
}

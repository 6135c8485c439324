package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import strait.deploy.LogComparison.Counts;

/**
 * Broker faults on both sides of a link while an idempotent producer writes: a 3-node KRaft source and a 3-node
 * KRaft target run as separate processes (replication factor 3, {@code min.insync.replicas=2}), {@code strait.jar run}
 * as a child JVM. Each repetition (system property {@value #REPETITIONS_PROPERTY}, 1 by default), on each side: a
 * partition leader {@code kill -9}ed and restarted, a leader frozen with {@code SIGSTOP} for 30 s, a rolling restart
 * of every node, a reassignment that moves every leader; on the target, the node coordinating the fence's
 * transactions frozen; then the sidecar {@code kill -9}ed at random moments and in the middle of a flush of its
 * offset map. After each fault the time to recover is measured: from the fault's end (the node back in sync, the
 * reassignment done, the sidecar restarted) to the sidecar having copied everything the source held then. At the end
 * the target is compared with the source record by record, every difference charged to the fault under way when its
 * record was written, and every source offset's translation is checked against the logs. The table it prints is the
 * one in docs/reliability.md.
 *
 * <p>Not part of {@code mvn -B verify} (it takes minutes per repetition); its command is in docs/reliability.md, and
 * CI runs it with one repetition.
 */
class BrokerFaultsIT {

    static final String REPETITIONS_PROPERTY = "strait.faults.repetitions";
    private static final int REPETITIONS = Integer.getInteger(REPETITIONS_PROPERTY, 1);
    private static final int SIDECAR_KILLS = Integer.getInteger("strait.faults.sidecarKills", 2);
    private static final int PARTITIONS = 4;
    private static final String TOPIC = "faults";
    /** Where the link's offset maps are persisted on the target (link {@code strait}, the default name). */
    private static final String MAP_TOPIC = "strait.offsets.internal";
    /** The link fence's transactional id on the target (link {@code strait}). */
    private static final String FENCE_TRANSACTIONAL_ID = "strait-strait-fence";

    private static final Duration PAUSE = Duration.ofSeconds(30);
    private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(3);

    /** Under {@code target/}, not a temporary directory: the nodes' and the sidecar's logs stay for a post-mortem. */
    private final Path dir = Path.of("target", "broker-faults", Long.toString(System.currentTimeMillis()));

    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Map<TopicPartition, NavigableMap<Long, String>> windows = new HashMap<>();
    private final Map<String, List<Long>> recoveryMs = new LinkedHashMap<>();
    private final Map<String, Integer> repetitions = new LinkedHashMap<>();
    private ProcessCluster source;
    private ProcessCluster target;
    private StraitProcess strait;
    private String base;
    private Path config;

    @Test
    void brokerFaultsOnEitherSideLoseDuplicateAndReorderNothing() throws Exception {
        long started = System.nanoTime();
        Files.createDirectories(dir);
        phase(started, "logs in " + dir.toAbsolutePath());
        Random random = new Random();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
            windows.put(partitions.get(p), new TreeMap<>());
        }
        CompletableFuture<ProcessCluster> sourceStart = startCluster("source");
        CompletableFuture<ProcessCluster> targetStart = startCluster("target");
        Traffic traffic = null;
        Thread producer = null;
        try {
            source = sourceStart.get(3, TimeUnit.MINUTES);
            target = targetStart.get(3, TimeUnit.MINUTES);
            phase(started, "6 nodes up");
            source.admin()
                    .createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)))
                    .all()
                    .get(1, TimeUnit.MINUTES);
            traffic = new Traffic(source.bootstrapServers());
            producer = new Thread(traffic, "faults-traffic");
            producer.start();
            config = config();
            String first = "no fault: start-up and first copy";
            mark(first);
            startSidecar();
            recover(first, System.nanoTime());
            phase(started, "copying");

            for (int r = 0; r < REPETITIONS; r++) {
                TopicPartition tp = partitions.get(r % PARTITIONS);
                for (ProcessCluster side : List.of(source, target)) {
                    fault(started, side.name() + " leader kill -9 and restart", () -> killLeader(side, tp));
                    fault(started, side.name() + " leader SIGSTOP 30 s, SIGCONT", () -> pauseLeader(side, tp));
                    fault(started, side.name() + " rolling restart of all 3 nodes", () -> rollingRestart(side));
                    fault(started, side.name() + " reassignment moving every leader", () -> moveLeaders(side));
                }
                fault(
                        started,
                        "target transaction coordinator of the link's fence SIGSTOP 30 s, SIGCONT",
                        this::pauseFenceCoordinator);
                for (int k = 0; k < SIDECAR_KILLS; k++) {
                    fault(started, "sidecar kill -9", () -> killSidecar(random));
                }
                fault(
                        started,
                        "sidecar kill -9 mid-flush of its map (the map's target leader frozen)",
                        this::killSidecarMidFlush);
            }
            mark("no fault: after the last one");
            traffic.stop(producer);
            Map<TopicPartition, Long> ends = sourceEnds();
            awaitReplicated(ends, true);
            phase(
                    started,
                    "caught up with " + ends + " after " + traffic.acked.get() + " acked sends, " + traffic.failed.get()
                            + " failed");

            Map<String, Counts> byFault = new LinkedHashMap<>();
            recoveryMs.keySet().forEach(f -> byFault.put(f, Counts.NONE));
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> sourceLogs = new HashMap<>();
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> targetLogs = new HashMap<>();
            for (TopicPartition tp : partitions) {
                sourceLogs.put(tp, PartitionLogs.readAll(source.bootstrapServers(), tp, "read_committed"));
                targetLogs.put(tp, PartitionLogs.readAll(target.bootstrapServers(), tp, "read_uncommitted"));
                LogComparison.compare(sourceLogs.get(tp), targetLogs.get(tp), windows.get(tp))
                        .forEach((fault, counts) -> byFault.merge(fault, counts, Counts::plus));
            }
            boolean translationsExact = true;
            AssertionError translationError = null;
            for (TopicPartition tp : partitions) {
                try {
                    long targetEnd = PartitionLogs.endOffset(target.bootstrapServers(), tp, "read_uncommitted");
                    Translations.assertEveryOffsetTranslates(
                            base, tp, sourceLogs.get(tp), targetLogs.get(tp), ends.get(tp), targetEnd);
                } catch (AssertionError e) {
                    translationsExact = false;
                    translationError = e;
                }
            }
            phase(started, "compared");
            printTable(byFault, translationsExact, traffic);
            assertThat(byFault)
                    .as("lost / duplicated / out of order / unknown per fault")
                    .allSatisfy((fault, counts) -> assertThat(counts.clean())
                            .as("%s: %s", fault, counts)
                            .isTrue());
            if (translationError != null) {
                throw translationError;
            }
            assertThat(traffic.acked.get()).as("records the producer wrote").isGreaterThan(1_000);
        } finally {
            if (traffic != null) {
                traffic.stopQuietly(producer);
            }
            if (strait != null) {
                strait.close();
            }
            for (CompletableFuture<ProcessCluster> start : List.of(sourceStart, targetStart)) {
                try {
                    start.get(3, TimeUnit.MINUTES).close();
                } catch (ExecutionException | TimeoutException e) {
                    // It did not start: a cluster that fails to start closes its own nodes.
                }
            }
        }
    }

    private interface Fault {
        /** Injects the fault and removes it; returns {@link System#nanoTime} when it is over. */
        long inject() throws Exception;
    }

    private void fault(long started, String name, Fault fault) throws Exception {
        mark(name);
        phase(started, name);
        long over = fault.inject();
        long ms = recover(name, over);
        phase(started, name + ": recovered " + ms + " ms after the fault was over");
    }

    /** Starts a new window: records written from now on are charged to {@code name}. */
    private void mark(String name) throws Exception {
        Map<TopicPartition, Long> ends = sourceEnds();
        for (TopicPartition tp : partitions) {
            windows.get(tp).put(ends.get(tp), name);
        }
        repetitions.merge(name, 1, Integer::sum);
    }

    /** Waits until the sidecar has copied everything the source holds now; returns how long that took from {@code over}. */
    private long recover(String name, long over) throws Exception {
        awaitReplicated(sourceEnds(), false);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - over);
        recoveryMs.computeIfAbsent(name, n -> new ArrayList<>()).add(ms);
        return ms;
    }

    private long killLeader(ProcessCluster side, TopicPartition tp) throws Exception {
        BrokerProcess leader = side.leaderOf(tp);
        leader.kill();
        side.awaitLeader(
                tp, "another node than " + leader.nodeId(), id -> id != leader.nodeId(), Duration.ofSeconds(60));
        // Down for a while, so the sidecar must carry on with the new leader.
        Thread.sleep(5_000);
        leader.start();
        side.awaitInSync(Duration.ofMinutes(3));
        return System.nanoTime();
    }

    private long pauseLeader(ProcessCluster side, TopicPartition tp) throws Exception {
        return freeze(side, side.leaderOf(tp));
    }

    /**
     * Freezes the target node coordinating the link fence's transactions past the fence's transaction timeout, which
     * can abort the fence producer's transaction under it: once, in this suite, that left the producer unusable and
     * the sidecar writing nothing until restarted (decision 0017).
     */
    private long pauseFenceCoordinator() throws Exception {
        int coordinator = target.admin()
                .describeTransactions(List.of(FENCE_TRANSACTIONAL_ID))
                .description(FENCE_TRANSACTIONAL_ID)
                .get(30, TimeUnit.SECONDS)
                .coordinatorId();
        return freeze(target, target.node(coordinator));
    }

    /** SIGSTOP for {@link #PAUSE}, SIGCONT, then every replica back in sync. */
    private static long freeze(ProcessCluster side, BrokerProcess node) throws Exception {
        node.pause();
        try {
            Thread.sleep(PAUSE.toMillis());
        } finally {
            node.resume();
        }
        side.awaitInSync(Duration.ofMinutes(3));
        return System.nanoTime();
    }

    private long rollingRestart(ProcessCluster side) throws Exception {
        for (BrokerProcess node : side.nodes()) {
            node.stop();
            node.start();
            side.awaitInSync(Duration.ofMinutes(3));
        }
        return System.nanoTime();
    }

    /** Rotates every data partition's replica list by one and elects the new preferred leaders. */
    private long moveLeaders(ProcessCluster side) throws Exception {
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new HashMap<>();
        Map<TopicPartition, Integer> newLeaders = new HashMap<>();
        for (TopicPartition tp : partitions) {
            List<Integer> replicas = new ArrayList<>(
                    side.describe(tp).replicas().stream().map(Node::id).toList());
            Collections.rotate(replicas, -1);
            moves.put(tp, Optional.of(new NewPartitionReassignment(replicas)));
            newLeaders.put(tp, replicas.get(0));
        }
        side.admin().alterPartitionReassignments(moves).all().get(1, TimeUnit.MINUTES);
        side.awaitInSync(Duration.ofMinutes(3));
        // A partition whose preferred leader already leads answers ElectionNotNeeded: the move is done there.
        for (var election : side.admin()
                .electLeaders(ElectionType.PREFERRED, Set.copyOf(partitions))
                .partitions()
                .get(1, TimeUnit.MINUTES)
                .entrySet()) {
            Optional<Throwable> error = election.getValue();
            if (error.isPresent() && !(error.get() instanceof ElectionNotNeededException)) {
                throw new AssertionError(side.name() + ": electing " + election.getKey() + "'s leader", error.get());
            }
        }
        for (TopicPartition tp : partitions) {
            int expected = newLeaders.get(tp);
            side.awaitLeader(tp, "node " + expected, id -> id == expected, Duration.ofMinutes(1));
        }
        return System.nanoTime();
    }

    private long killSidecar(Random random) throws Exception {
        Thread.sleep(random.nextInt(3_000));
        strait.process().destroyForcibly();
        assertThat(strait.process().waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
        strait.close();
        startSidecar();
        return System.nanoTime();
    }

    /**
     * Freezes the target leader of the offset maps' topic for 3 s and kills the sidecar then, so a flush of its map sent
     * just before the freeze may still be unanswered when it dies. Not more than that: polling for acks showed
     * that the sidecar acks nothing at all while that node is frozen (its rounds wait for every leader, and the node
     * leads data partitions too), so no flush is sent during the freeze itself.
     */
    private long killSidecarMidFlush() throws Exception {
        BrokerProcess mapLeader = target.leaderOf(new TopicPartition(MAP_TOPIC, 0));
        mapLeader.pause();
        try {
            Thread.sleep(3_000); // how long the node stays frozen before the kill: the fault itself, not a wait
            strait.process().destroyForcibly();
            assertThat(strait.process().waitFor(30, TimeUnit.SECONDS))
                    .as("killed")
                    .isTrue();
            strait.close();
        } finally {
            mapLeader.resume();
        }
        target.awaitInSync(Duration.ofMinutes(3));
        startSidecar();
        return System.nanoTime();
    }

    private void startSidecar() throws Exception {
        strait = StraitProcess.start(dir, List.of(), "run", "--config", config.toString());
        base = strait.awaitBaseUrl(Duration.ofSeconds(90));
    }

    /**
     * Waits until {@code /status} shows every partition replicated to at least {@code ends} (exactly, when
     * {@code exactly}) with no partition stopped.
     */
    private void awaitReplicated(Map<TopicPartition, Long> ends, boolean exactly) {
        long started = System.nanoTime();
        long[] nextReport = {started + TimeUnit.SECONDS.toNanos(2)};
        strait.awaitPartitions(base, "replicated to " + ends + (exactly ? " exactly" : ""), RECOVERY_LIMIT, status -> {
            if (System.nanoTime() > nextReport[0]) {
                // Progress for a post-mortem of a slow recovery: how far each partition still has to go.
                nextReport[0] += TimeUnit.SECONDS.toNanos(2);
                phase(
                        started,
                        "  still to copy: "
                                + partitions.stream()
                                        .map(tp -> tp.partition() + "="
                                                + (status.containsKey(tp)
                                                        ? ends.get(tp)
                                                                - status.get(tp).getLong("replicated")
                                                        : "?"))
                                        .toList());
            }
            for (TopicPartition tp : partitions) {
                JsonObject p = status.get(tp);
                if (p == null) {
                    return false;
                }
                if (p.getString("stoppedReason") != null) {
                    throw new AssertionError(tp + " stopped: " + p.getString("stoppedReason"));
                }
                long replicated = p.getLong("replicated");
                if (exactly ? replicated != ends.get(tp) : replicated < ends.get(tp)) {
                    return false;
                }
            }
            return true;
        });
    }

    private Map<TopicPartition, Long> sourceEnds() {
        return source.endOffsets(partitions);
    }

    private Path config() throws Exception {
        Path file = dir.resolve("strait.properties");
        Files.write(
                file,
                List.of(
                        "source.bootstrap.servers=" + source.bootstrapServers(),
                        "target.bootstrap.servers=" + target.bootstrapServers(),
                        "topics=" + TOPIC,
                        "http.port=0"));
        return file;
    }

    private CompletableFuture<ProcessCluster> startCluster(String name) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ProcessCluster.start(dir, name, 3);
            } catch (Exception e) {
                throw new IllegalStateException("starting the " + name + " cluster: " + e, e);
            }
        });
    }

    private void printTable(Map<String, Counts> byFault, boolean translationsExact, Traffic traffic) {
        StringBuilder s = new StringBuilder("BrokerFaultsIT: " + REPETITIONS + " repetition(s), " + traffic.acked.get()
                + " sends acked, " + traffic.failed.get() + " failed"
                + (traffic.firstFailure.get() == null ? "" : " (the first: " + traffic.firstFailure.get() + ")")
                + "\n");
        s.append("| fault | repetitions | source records written meanwhile | on the target | lost | duplicated"
                + " | out of order | translation exact | time to recover p50 / max |\n");
        s.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        byFault.forEach((fault, c) -> {
            List<Long> ms =
                    recoveryMs.getOrDefault(fault, List.of()).stream().sorted().toList();
            String recovery = ms.isEmpty()
                    ? "—"
                    : String.format("%.1f s / %.1f s", ms.get(ms.size() / 2) / 1e3, ms.get(ms.size() - 1) / 1e3);
            s.append(String.format(
                    "| %s | %d | %d | %d | %d | %d | %d | %s | %s |%n",
                    fault,
                    repetitions.getOrDefault(fault, 0),
                    c.source(),
                    c.source() - c.lost() + c.duplicated() + c.unknown(),
                    c.lost(),
                    c.duplicated(),
                    c.outOfOrder(),
                    translationsExact ? "yes" : "no",
                    recovery));
        });
        System.out.print(s);
    }

    private static void phase(long started, String what) {
        System.out.printf("BrokerFaultsIT %6.1f s: %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    /** An idempotent producer writing ~500 records/s round the partitions until stopped; counts what was acked. */
    private static final class Traffic implements Runnable {
        final String bootstrap;
        final AtomicBoolean stopped = new AtomicBoolean();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<Exception> firstFailure = new AtomicReference<>();
        volatile Throwable crashed;

        Traffic(String bootstrap) {
            this.bootstrap = bootstrap;
        }

        @Override
        public void run() {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            bootstrap,
                            ProducerConfig.ACKS_CONFIG,
                            "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                            true,
                            ProducerConfig.LINGER_MS_CONFIG,
                            5,
                            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                            300_000,
                            ProducerConfig.MAX_BLOCK_MS_CONFIG,
                            300_000),
                    new StringSerializer(),
                    new StringSerializer())) {
                for (long n = 0; !stopped.get(); n++) {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add("n", Long.toString(n).getBytes(StandardCharsets.UTF_8));
                    String key = "k-" + n;
                    producer.send(
                            new ProducerRecord<>(TOPIC, (int) (n % PARTITIONS), null, key, "value-" + key, headers),
                            (metadata, e) -> {
                                if (e == null) {
                                    acked.incrementAndGet();
                                } else {
                                    failed.incrementAndGet();
                                    firstFailure.compareAndSet(null, e);
                                }
                            });
                    if (n % 10 == 9) {
                        // A throttle, not a wait for a condition: ~500 records/s keeps six nodes on two cores calm.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                    }
                }
                producer.flush();
            } catch (Throwable t) {
                crashed = t;
            }
        }

        void stop(Thread thread) throws InterruptedException {
            stopped.set(true);
            thread.join(TimeUnit.MINUTES.toMillis(5));
            if (crashed != null) {
                throw new AssertionError("the producer failed", crashed);
            }
        }

        void stopQuietly(Thread thread) throws InterruptedException {
            stopped.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}

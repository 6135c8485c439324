package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import strait.embedded.SharedClusters;

/**
 * The real {@code strait.jar run}, killed with SIGKILL {@value #KILLS} times at random moments while a transactional
 * producer (aborting some transactions) and a plain producer write, and restarted each time. A kill comes either as
 * soon as a start serves HTTP (while it loads the map and reconciles the target's tail) or after some more offsets
 * were copied (the map is persisted after every acked batch, so these land before, during or after a flush). Once
 * caught up, the target holds every committed source record exactly once, in order, every source offset translates
 * exactly, and groups that committed mid-stream (at an aborted record, at a transaction marker) have their exact
 * resume points. Each restart's time to recover, from the process start to copying past where the killed instance
 * was last seen, is printed (p50 and max) for docs/reliability.md.
 */
class SidecarCrashIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final int KILLS = 21;

    @TempDir
    Path dir;

    private final String prefix = "crash" + UUID.randomUUID().toString().substring(0, 8);
    private final String txTopic = prefix + ".tx";
    private final String plainTopic = prefix + ".plain";
    private final TopicPartition tx0 = new TopicPartition(txTopic, 0);
    private final List<TopicPartition> partitions =
            List.of(tx0, new TopicPartition(plainTopic, 0), new TopicPartition(plainTopic, 1));

    @Test
    void afterRepeatedKillNineEveryCommittedRecordIsOnTheTargetOnceAndEveryOffsetTranslatesExactly() throws Exception {
        long started = System.nanoTime();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String run = "seed " + seed + ", topics " + prefix + ".*";
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(txTopic, 1, (short) 1), new NewTopic(plainTopic, 2, (short) 1)))
                    .all()
                    .get();
        }
        Path config = config();
        Traffic traffic = new Traffic();
        Thread producerThread = new Thread(traffic, "crash-traffic");
        Map<String, Map<TopicPartition, Long>> groupCommits = new HashMap<>();
        StraitProcess strait = null;
        try {
            producerThread.start();
            long replicated = 0;
            int atStart = 0;
            List<Long> recoveryMs = new ArrayList<>();
            for (int kill = 1; kill <= KILLS; kill++) {
                long spawned = System.nanoTime();
                strait = StraitProcess.start(dir, List.of(), "run", "--config", config.toString());
                String base = strait.awaitBaseUrl(Duration.ofSeconds(60));
                // Every third kill, the first included, at start-up: a random 0-300 ms after HTTP answers.
                boolean starting = kill % 3 == 1;
                if (starting) {
                    atStart++;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(300)));
                } else {
                    replicated = awaitReplicatedProgress(strait, base, replicated + 1, run);
                    if (kill > 1) {
                        recoveryMs.add((System.nanoTime() - spawned) / 1_000_000);
                    }
                    // A random moment: after 1 to 1,500 more source offsets were replicated.
                    replicated = awaitReplicatedProgress(strait, base, replicated + 1 + random.nextInt(1_500), run);
                }
                if (kill == 2) {
                    groupCommits.putAll(commitGroupsOnSource(traffic, random));
                }
                strait.process().destroyForcibly();
                assertThat(strait.process().waitFor(30, TimeUnit.SECONDS))
                        .as("killed")
                        .isTrue();
                strait.close();
                strait = null;
                phase(
                        started,
                        "kill " + kill + (starting ? " at start-up" : " at " + replicated + " replicated offsets"));
            }
            strait = StraitProcess.start(dir, List.of(), "run", "--config", config.toString());
            String base = strait.awaitBaseUrl(Duration.ofSeconds(60));
            awaitReplicatedProgress(strait, base, replicated + 300, run);
            traffic.stop(producerThread);
            assertThat(traffic.transactions.get())
                    .as("transactions written, %s", run)
                    .isGreaterThan(20);
            assertThat(traffic.abortedOffsets)
                    .as("aborted records written, %s", run)
                    .isNotEmpty();

            long compared = 0;
            Map<TopicPartition, Long> sourceEnds = new HashMap<>();
            for (TopicPartition tp : partitions) {
                sourceEnds.put(tp, PartitionLogs.endOffset(CLUSTERS.sourceBootstrapServers(), tp, "read_committed"));
            }
            awaitCaughtUp(strait, base, sourceEnds, run);
            phase(started, "caught up with " + sourceEnds);

            for (TopicPartition tp : partitions) {
                List<ConsumerRecord<byte[], byte[]>> source =
                        PartitionLogs.readAll(CLUSTERS.sourceBootstrapServers(), tp, "read_committed");
                List<ConsumerRecord<byte[], byte[]>> target =
                        PartitionLogs.readAll(CLUSTERS.targetBootstrapServers(), tp, "read_uncommitted");
                // (a) every committed source record on the target once, in order, by content.
                PartitionLogs.assertSameRecords(tp, source, target);
                compared += source.size();
                long targetEnd = PartitionLogs.endOffset(CLUSTERS.targetBootstrapServers(), tp, "read_uncommitted");
                // (b) every source offset translates to the target offset of the first committed record at or after it.
                Translations.assertEveryOffsetTranslates(base, tp, source, target, sourceEnds.get(tp), targetEnd);
                phase(
                        started,
                        tp + ": " + source.size() + " records compared, " + (sourceEnds.get(tp) + 2)
                                + " offsets translated");
                // (c) groups that committed mid-stream resume exactly.
                for (var group : groupCommits.entrySet()) {
                    Long committed = group.getValue().get(tp);
                    if (committed != null) {
                        long expected = Translations.expectedTarget(source, target, committed, targetEnd);
                        awaitGroupOffset(base, group.getKey(), tp, committed, expected, run);
                    }
                }
            }
            List<Long> sorted = recoveryMs.stream().sorted().toList();
            System.out.printf(
                    "SidecarCrashIT: %s, %d kills (%d at start-up), %d transactions (%d aborted records), source ends"
                            + " %s; records compared %d; time to recover after a kill (process start to copying past"
                            + " the last position seen), %d restarts: p50 %d ms, max %d ms%n",
                    run,
                    KILLS,
                    atStart,
                    traffic.transactions.get(),
                    traffic.abortedOffsets.size(),
                    sourceEnds,
                    compared,
                    sorted.size(),
                    sorted.get(sorted.size() / 2),
                    sorted.get(sorted.size() - 1));
        } finally {
            traffic.stop(producerThread);
            if (strait != null) {
                strait.close();
            }
        }
    }

    private static void phase(long started, String what) {
        System.out.printf("SidecarCrashIT %5.1f s: %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    private Path config() throws Exception {
        Path file = Files.createTempFile(dir, "strait", ".properties");
        Files.write(
                file,
                List.of(
                        "source.bootstrap.servers=" + CLUSTERS.sourceBootstrapServers(),
                        "target.bootstrap.servers=" + CLUSTERS.targetBootstrapServers(),
                        "topics=" + prefix + "\\\\..*",
                        "groups=" + prefix + "\\\\..*",
                        "groups.sync.interval.ms=500",
                        "http.port=0"));
        return file;
    }

    /** Polls {@code /status} until the replicated positions of our partitions sum to at least {@code atLeast}. */
    private long awaitReplicatedProgress(StraitProcess strait, String base, long atLeast, String run) {
        return replicatedSum(strait.awaitPartitions(
                base,
                "replicated positions summing to " + atLeast + "; " + run,
                Duration.ofSeconds(45),
                s -> replicatedSum(s) >= atLeast));
    }

    private long replicatedSum(Map<TopicPartition, JsonObject> status) {
        return partitions.stream()
                .mapToLong(tp ->
                        status.containsKey(tp) ? Math.max(0, status.get(tp).getLong("replicated")) : 0)
                .sum();
    }

    private void awaitCaughtUp(StraitProcess strait, String base, Map<TopicPartition, Long> sourceEnds, String run) {
        strait.awaitPartitions(
                base,
                "caught up to " + sourceEnds + "; " + run,
                Duration.ofSeconds(60),
                s -> partitions.stream()
                        .allMatch(tp -> s.containsKey(tp)
                                && s.get(tp).getLong("replicated").equals(sourceEnds.get(tp))
                                && s.get(tp).getLong("sourceEnd").equals(sourceEnds.get(tp))));
    }

    /**
     * Source groups committing mid-stream: one at an aborted record, one at a transaction marker, one at a committed
     * record, one on the plain topic. Returns group -> committed offsets.
     */
    private Map<String, Map<TopicPartition, Long>> commitGroupsOnSource(Traffic traffic, Random random)
            throws Exception {
        Map<String, Map<TopicPartition, Long>> commits = new HashMap<>();
        commits.put(prefix + ".at-aborted", Map.of(tx0, pick(traffic.abortedOffsets, random)));
        commits.put(prefix + ".at-marker", Map.of(tx0, pick(traffic.markerOffsets, random)));
        commits.put(prefix + ".at-record", Map.of(tx0, pick(traffic.committedOffsets, random)));
        Map<TopicPartition, Long> plain = new HashMap<>();
        for (TopicPartition tp : partitions.subList(1, 3)) {
            long end = PartitionLogs.endOffset(CLUSTERS.sourceBootstrapServers(), tp, "read_committed");
            plain.put(tp, end == 0 ? 0 : random.nextLong(end));
        }
        commits.put(prefix + ".plain", plain);
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            for (var group : commits.entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                group.getValue().forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o, "crash-test")));
                admin.alterConsumerGroupOffsets(group.getKey(), offsets).all().get();
            }
        }
        return commits;
    }

    private static long pick(List<Long> offsets, Random random) {
        assertThat(offsets).as("offsets to commit at").isNotEmpty();
        return offsets.get(random.nextInt(offsets.size()));
    }

    private static void awaitGroupOffset(
            String base, String group, TopicPartition tp, long sourceOffset, long targetOffset, String run)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = StraitProcess.get(base + "/offsets/groups/" + group);
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200) {
                JsonArray array = new JsonObject(response.body()).getJsonArray("partitions");
                for (int i = 0; i < array.size(); i++) {
                    JsonObject p = array.getJsonObject(i);
                    if (p.getString("topic").equals(tp.topic())
                            && p.getInteger("partition") == tp.partition()
                            && p.getLong("sourceOffset") == sourceOffset
                            && Boolean.TRUE.equals(p.getBoolean("valid"))) {
                        assertThat(p.getLong("targetOffset"))
                                .as("group %s %s committed %d: %s", group, tp, sourceOffset, p)
                                .isEqualTo(targetOffset);
                        return;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "group " + group + " never showed " + tp + " " + sourceOffset + " valid; last: " + last + "; " + run);
    }

    /**
     * Writes until stopped: transactions on {@code txTopic} (every third aborted) with a plain record interleaved in
     * each, and plain records on {@code plainTopic}. Records where aborted records and markers landed.
     */
    private final class Traffic implements Runnable {
        final long startedAtMs = System.currentTimeMillis();
        final AtomicBoolean stopped = new AtomicBoolean();
        final AtomicLong transactions = new AtomicLong();
        final List<Long> abortedOffsets = new CopyOnWriteArrayList<>();
        final List<Long> markerOffsets = new CopyOnWriteArrayList<>();
        final List<Long> committedOffsets = new CopyOnWriteArrayList<>();
        volatile Throwable failure;

        @Override
        public void run() {
            try (KafkaProducer<String, String> tx = new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    CLUSTERS.sourceBootstrapServers(),
                                    ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                    prefix + "-tx"),
                            new StringSerializer(),
                            new StringSerializer());
                    KafkaProducer<String, String> plain = new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    CLUSTERS.sourceBootstrapServers(),
                                    ProducerConfig.LINGER_MS_CONFIG,
                                    0),
                            new StringSerializer(),
                            new StringSerializer())) {
                tx.initTransactions();
                Random random = new Random(prefix.hashCode());
                for (long n = 0; !stopped.get(); n++) {
                    transaction(tx, plain, n, random);
                    for (int i = 0; i < 3; i++) {
                        plain.send(record(plainTopic, (int) ((n + i) % 2), "plain-" + n + "-" + i, n));
                    }
                    transactions.incrementAndGet();
                    // A throttle, not a wait for a condition: ~50 transactions/s keeps the log to check small.
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void transaction(
                KafkaProducer<String, String> tx, KafkaProducer<String, String> plain, long n, Random random)
                throws Exception {
            boolean abort = n % 3 == 1;
            tx.beginTransaction();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            int size = 1 + random.nextInt(6);
            for (int i = 0; i < size; i++) {
                sent.add(tx.send(record(txTopic, 0, "tx-" + n + "-" + i, n)));
            }
            tx.flush();
            // A plain record in the middle of the open transaction: committed records between aborted ones.
            committedOffsets.add(
                    plain.send(record(txTopic, 0, "mid-" + n, n)).get().offset());
            sent.add(tx.send(record(txTopic, 0, "tx-" + n + "-last", n)));
            tx.flush();
            List<Long> offsets = new ArrayList<>();
            for (Future<RecordMetadata> f : sent) {
                offsets.add(f.get().offset());
            }
            if (abort) {
                tx.abortTransaction();
                abortedOffsets.addAll(offsets);
            } else {
                tx.commitTransaction();
                committedOffsets.addAll(offsets);
            }
            // Only this thread writes txTopic, so the marker follows the transaction's last record.
            markerOffsets.add(offsets.get(offsets.size() - 1) + 1);
        }

        private ProducerRecord<String, String> record(String topic, int partition, String key, long n) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("n", Long.toString(n).getBytes(StandardCharsets.UTF_8));
            headers.add("empty", new byte[0]);
            String value = n % 17 == 0 ? null : "value-" + key;
            // Distinct, recent timestamps (an old one would let time-based retention delete the log under the test).
            return new ProducerRecord<>(topic, partition, startedAtMs + n, key, value, headers);
        }

        void stop(Thread thread) throws InterruptedException {
            stopped.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (failure != null) {
                throw new AssertionError("the producer failed", failure);
            }
        }
    }
}

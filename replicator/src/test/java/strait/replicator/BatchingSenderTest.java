package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.jctools.queues.SpscArrayQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import strait.offsets.OffsetMap;
import strait.offsets.Translation;
import strait.offsets.WriterId;

/**
 * The sender's write rules, against a leader that keeps a log per partition and takes a batch only at the sequence of
 * its log end, as a Kafka partition leader does for the link's producer id. What the network and the broker add is
 * {@code TargetWriterIT}'s and the replication ITs'.
 */
class BatchingSenderTest {

    private static final WriterId LINK = new WriterId(42, (short) 0);
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);
    private static final long NOW = System.currentTimeMillis();
    /** Batches of a few records, so one chunk takes several rounds. */
    private static final TargetLimits SMALL_BATCHES = new TargetLimits(400, false, Long.MAX_VALUE, Long.MAX_VALUE);

    private final Leaders target = new Leaders();
    private final SpscArrayQueue<Chunk> queue = new SpscArrayQueue<>(1024);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ReplicatorMetrics metrics = new ReplicatorMetrics(registry);
    private final Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters = new ConcurrentHashMap<>();
    /** Per partition, the map's (replicated, target) positions at each persist. */
    private final Map<TopicPartition, List<long[]>> persisted = new ConcurrentHashMap<>();

    private final Events events = new Events();
    private volatile LinkFence.Verdict verdict = LinkFence.Verdict.HELD;
    private Thread thread;
    private BatchingSender sender;

    @AfterEach
    void stopSender() throws InterruptedException {
        if (sender != null) {
            sender.close();
            thread.join(5_000);
            assertThat(thread.isAlive()).as("sender thread ended").isFalse();
        }
    }

    @Test
    void writesEachPartitionInSourceOrderWithOneBatchInFlightAtTheSequenceOfItsTargetOffset() {
        PartitionState p0 = running(P0, 100, 0);
        PartitionState p1 = running(P1, 0, 7);
        p0.limits = SMALL_BATCHES;
        p1.limits = SMALL_BATCHES;
        List<ConsumerRecord<byte[], byte[]>> first = records(P0, 100, 30);
        List<ConsumerRecord<byte[], byte[]>> second = records(P0, 130, 30);
        List<ConsumerRecord<byte[], byte[]>> other = records(P1, 0, 25);
        target.preload(P1, 7);
        offer(Chunk.ofRecords(p0, p0.epoch(), first, 130, 3_000));
        offer(Chunk.ofRecords(p1, p1.epoch(), other, 25, 2_500));
        offer(Chunk.ofRecords(p0, p0.epoch(), second, 160, 3_000));

        start();
        eventually(
                "both partitions written",
                Duration.ofSeconds(10),
                () -> p0.map().replicatedPosition() == 160 && p1.map().replicatedPosition() == 25);

        assertThat(target.values(P0)).containsExactlyElementsOf(values(first, second));
        assertThat(target.values(P1).subList(7, 32)).containsExactlyElementsOf(values(other));
        assertThat(target.violations).isEmpty();
        assertThat(target.writes.size()).as("rounds").isGreaterThan(3);
        assertThat(p0.map().translate(100)).isEqualTo(new Translation.Exact(0));
        assertThat(p0.map().translate(159)).isEqualTo(new Translation.Exact(59));
        assertThat(p1.map().translate(0)).isEqualTo(new Translation.Exact(7));
        assertThat(last(persisted.get(P0))).containsExactly(160, 60);
        assertThat(last(persisted.get(P1))).containsExactly(25, 32);
        assertThat(p0.bytesInFlight.get() + p1.bytesInFlight.get()).isZero();
        assertThat(p0.chunksInFlight() + p1.chunksInFlight()).isZero();
        assertThat(p0.recordsEncoded).isEqualTo(60);
        assertThat(events.failed).isEmpty();
    }

    @Test
    void resendsTheSameBatchAfterARetriableError() {
        PartitionState p0 = running(P0, 0, 0);
        target.failNext(P0, new NotLeaderOrFollowerException("moving"), new NotLeaderOrFollowerException("moving"));
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 10), 10, 1_000));

        start();
        eventually("written", Duration.ofSeconds(10), () -> p0.map().replicatedPosition() == 10);

        assertThat(target.attempts(P0)).containsExactly(0, 0, 0);
        assertThat(events.retried).hasSize(2);
        assertThat(target.values(P0)).hasSize(10);
        assertThat(events.failed).isEmpty();
    }

    @Test
    void halvesABatchTheLeaderFindsTooLargeUntilItTakesIt() {
        PartitionState p0 = running(P0, 0, 0);
        target.maxBatchBytes.put(P0, 300);
        List<ConsumerRecord<byte[], byte[]>> records = records(P0, 0, 40);
        offer(Chunk.ofRecords(p0, p0.epoch(), records, 40, 4_000));

        start();
        eventually("written", Duration.ofSeconds(10), () -> p0.map().replicatedPosition() == 40);

        assertThat(target.values(P0)).containsExactlyElementsOf(values(records));
        assertThat(target.tooLarge).as("refused as too large").isPositive();
        assertThat(target.landedSizes).hasSizeGreaterThan(1);
        assertThat(target.landedSizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(300));
        assertThat(target.violations).isEmpty();
    }

    @Test
    void decodesAForwardedBatchTheLeaderFindsTooLargeAndWritesItsRecords() {
        PartitionState p0 = running(P0, 500, 0);
        SourceBatch.Forward forward = forwarded(500, 20);
        target.maxBatchBytes.put(P0, forward.sizeInBytes() - 1);
        offer(new Chunk(p0, p0.epoch(), List.of(forward), 20, 520, forward.sizeInBytes()));

        start();
        eventually("written", Duration.ofSeconds(10), () -> p0.map().replicatedPosition() == 520);

        assertThat(target.values(P0)).containsExactlyElementsOf(forwardedValues(500, 20));
        assertThat(p0.recordsForwarded).isZero();
        assertThat(p0.recordsEncoded).isEqualTo(20);
        assertThat(registry.get("strait.batches")
                        .tag("path", "record")
                        .tag("reason", "too_large")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void forwardsASourceBatchAsItsOwnBytesUnderTheLinksProducer() {
        PartitionState p0 = running(P0, 500, 3);
        target.preload(P0, 3);
        SourceBatch.Forward forward = forwarded(500, 20);
        offer(new Chunk(p0, p0.epoch(), List.of(forward), 20, 520, forward.sizeInBytes()));

        start();
        eventually("written", Duration.ofSeconds(10), () -> p0.map().replicatedPosition() == 520);

        assertThat(target.values(P0).subList(3, 23)).containsExactlyElementsOf(forwardedValues(500, 20));
        assertThat(target.attempts(P0)).containsExactly(3);
        assertThat(p0.recordsForwarded).isEqualTo(20);
        assertThat(p0.map().translate(519)).isEqualTo(new Translation.Exact(22));
    }

    @Test
    void writesQueuedSmallForwardedBatchesAsOneBatchOfTheirRecords() {
        PartitionState p0 = running(P0, 500, 0);
        List<SourceBatch> small = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < 10; i++) {
            SourceBatch.Forward forward = forwarded(500 + 2 * i, 2);
            small.add(forward);
            bytes += forward.sizeInBytes();
        }
        offer(new Chunk(p0, p0.epoch(), small, 20, 520, bytes));

        start();
        eventually("written", Duration.ofSeconds(10), () -> p0.map().replicatedPosition() == 520);

        assertThat(target.values(P0)).containsExactlyElementsOf(forwardedValues(500, 20));
        assertThat(target.attempts(P0)).as("one batch, one round trip").containsExactly(0);
        assertThat(target.violations).isEmpty();
        assertThat(p0.recordsEncoded).isEqualTo(20);
        assertThat(p0.map().translate(519)).isEqualTo(new Translation.Exact(19));
        assertThat(registry.get("strait.batches")
                        .tag("path", "record")
                        .tag("reason", "coalesced")
                        .counter()
                        .count())
                .isEqualTo(10);
        assertThat(p0.chunksInFlight()).isZero();
    }

    @Test
    void stopsAtTheLastAckedRecordWhenTheLeaderRefusesAndLetsTheOtherPartitionsFinish() {
        PartitionState p0 = running(P0, 0, 0);
        PartitionState p1 = running(P1, 0, 0);
        p0.limits = SMALL_BATCHES;
        target.failAfter(P0, 1, new InvalidRecordException("refused by a policy"));
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 30), 30, 3_000));
        offer(Chunk.ofRecords(p1, p1.epoch(), records(P1, 0, 30), 30, 3_000));

        start();
        eventually(
                "p0 failed and p1 written",
                Duration.ofSeconds(10),
                () -> !events.failed.isEmpty() && p1.map().replicatedPosition() == 30);

        int landed = target.values(P0).size();
        assertThat(landed).isBetween(1, 29);
        assertThat(events.failed).containsExactly(P0 + ": refused by a policy");
        assertThat(p0.map().replicatedPosition()).isEqualTo(landed);
        assertThat(last(persisted.get(P0))).containsExactly(landed, landed);
        assertThat(p0.chunksInFlight()).as("released once handed over").isZero();
        assertThat(target.values(P1)).hasSize(30);
    }

    @Test
    void givesUpOnARetriableErrorOnceTheDeliveryTimeoutIsSpent() {
        PartitionState p0 = running(P0, 0, 0);
        target.deliveryTimeoutMs = 100;
        target.failAlways(P0, new NotLeaderOrFollowerException("no leader"));
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 5), 5, 500));

        long started = System.nanoTime();
        start();
        eventually("failed", Duration.ofSeconds(10), () -> !events.failed.isEmpty());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(events.failed).containsExactly(P0 + ": no leader");
        assertThat(events.retried).isNotEmpty();
        assertThat(target.values(P0)).isEmpty();
        assertThat(p0.map().replicatedPosition()).isZero();
    }

    @Test
    void aRetryingPartitionDoesNotHoldBackAnotherQueuedWithIt() {
        PartitionState p0 = running(P0, 0, 0);
        PartitionState p1 = running(P1, 0, 0);
        p1.limits = SMALL_BATCHES;
        KafkaException moving = new NotLeaderOrFollowerException("moving");
        target.failNext(P0, moving, moving, moving, moving, moving, moving, moving, moving);
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 5), 5, 500));
        offer(Chunk.ofRecords(p1, p1.epoch(), records(P1, 0, 30), 30, 3_000));

        start();
        eventually(
                "both written",
                Duration.ofSeconds(10),
                () -> p0.map().replicatedPosition() == 5 && p1.map().replicatedPosition() == 30);

        int p1Done = target.writeOfLastAck(P1);
        int p0Done = target.writeOfLastAck(P0);
        assertThat(p1Done).as("p1's last batch went out while p0 was retrying").isLessThan(p0Done);
        assertThat(target.values(P1)).hasSize(30);
    }

    @Test
    void aRetryingPartitionDoesNotHoldBackChunksOfAnotherThatArriveLater() {
        PartitionState p0 = running(P0, 0, 0);
        PartitionState p1 = running(P1, 0, 0);
        target.failAlways(P0, new NotLeaderOrFollowerException("moving"));
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 5), 5, 500));
        offer(Chunk.ofRecords(p1, p1.epoch(), records(P1, 0, 5), 5, 500));

        start();
        eventually(
                "p1's first chunk written",
                Duration.ofSeconds(10),
                () -> p1.map().replicatedPosition() == 5);
        offer(Chunk.ofRecords(p1, p1.epoch(), records(P1, 5, 5), 10, 500));
        eventually(
                "p1's second chunk written",
                Duration.ofSeconds(10),
                () -> p1.map().replicatedPosition() == 10);

        assertThat(target.values(P0)).as("p0 still retrying").isEmpty();
        // The map is persisted just after it is extended, on the ack path: wait for that too.
        eventually("p1's map persisted at 10", Duration.ofSeconds(10), () -> {
            List<long[]> persists = persisted.get(P1);
            return persists != null
                    && !persists.isEmpty()
                    && java.util.Arrays.equals(persists.get(persists.size() - 1), new long[] {10, 10});
        });
        target.failAlways(P0, null);
        eventually("p0 written", Duration.ofSeconds(10), () -> p0.map().replicatedPosition() == 5);
        assertThat(events.failed).isEmpty();
    }

    @Test
    void writesNothingPastAFailedSendUntilThePartitionIsAssignedAgain() {
        PartitionState p0 = running(P0, 0, 0);
        target.failNext(P0, new InvalidRecordException("refused"));
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 5), 5, 500));
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 5, 5), 10, 500));

        start();
        eventually("failed", Duration.ofSeconds(10), () -> !events.failed.isEmpty());
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 10, 5), 15, 500));
        eventually("the later chunk released", Duration.ofSeconds(10), () -> p0.chunksInFlight() == 0);
        assertThat(target.values(P0)).isEmpty();

        // Reconciled and assigned again (what the controller does after a failed send): written from the map.
        p0.nextEpoch();
        p0.running(OffsetMap.startingAt(0, 0));
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 15), 15, 1_500));
        eventually("written", Duration.ofSeconds(10), () -> p0.map().replicatedPosition() == 15);

        assertThat(target.values(P0)).containsExactlyElementsOf(values(records(P0, 0, 15)));
        assertThat(events.failed).hasSize(1);
    }

    @Test
    void refusesNothingItSendsButStopsBeforeARecordTheTargetTopicWouldRefuse() {
        PartitionState p0 = running(P0, 0, 0);
        p0.limits = new TargetLimits(-1, true, Long.MAX_VALUE, Long.MAX_VALUE);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(records(P0, 0, 3));
        records.add(record(P0, 3, null, "v3"));
        records.addAll(records(P0, 4, 2));
        offer(Chunk.ofRecords(p0, p0.epoch(), records, 6, 600));

        start();
        eventually("failed", Duration.ofSeconds(10), () -> !events.failed.isEmpty());

        assertThat(target.values(P0)).containsExactly("v0", "v1", "v2");
        assertThat(events.failed).hasSize(1);
        assertThat(events.failed.get(0)).contains("offset 3 has no key");
        assertThat(p0.map().replicatedPosition()).isEqualTo(3);
    }

    @Test
    void dropsAChunkOfAnOlderAssignmentUnwritten() {
        PartitionState p0 = running(P0, 0, 0);
        int stale = p0.epoch();
        p0.nextEpoch();
        p0.running(OffsetMap.startingAt(0, 0));
        p0.onEnqueued(NOW, 5, 500);
        queue.offer(Chunk.ofRecords(p0, stale, records(P0, 0, 5), 5, 500));
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 2), 2, 200));

        start();
        eventually("written", Duration.ofSeconds(10), () -> p0.map().replicatedPosition() == 2);

        assertThat(target.values(P0)).containsExactly("v0", "v1");
        assertThat(p0.bytesInFlight.get()).isZero();
    }

    @Test
    void sendsNothingOnceAnotherInstanceTookTheLinkOver() throws InterruptedException {
        PartitionState p0 = running(P0, 0, 0);
        verdict = LinkFence.Verdict.FENCED;
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 5), 5, 500));

        start();
        thread.join(5_000);

        assertThat(thread.isAlive()).as("the sender ended by itself").isFalse();
        assertThat(events.fenced).containsExactly("taken over");
        assertThat(target.writes).isEmpty();
        assertThat(persisted).isEmpty();
        assertThat(sender.endedCleanly()).isFalse();
    }

    @Test
    void waitsWhileTheFenceIsUnprovenAndWritesOnceItIsHeld() {
        PartitionState p0 = running(P0, 0, 0);
        verdict = LinkFence.Verdict.UNPROVEN;
        offer(Chunk.ofRecords(p0, p0.epoch(), records(P0, 0, 5), 5, 500));

        start();
        eventually("asked the fence", Duration.ofSeconds(5), () -> events.fenceChecks > 0);
        assertThat(target.writes).isEmpty();
        verdict = LinkFence.Verdict.HELD;

        eventually("written", Duration.ofSeconds(10), () -> p0.map().replicatedPosition() == 5);
        assertThat(target.values(P0)).hasSize(5);
    }

    // ------------------------------------------------------------------------------------------------ set-up

    private PartitionState running(TopicPartition tp, long sourceStart, long targetStart) {
        PartitionState ps = new PartitionState(tp);
        ps.nextEpoch();
        ps.running(OffsetMap.startingAt(sourceStart, targetStart));
        meters.put(ps, metrics.register(ps));
        return ps;
    }

    /** Hands a chunk over as the fetcher does: counted in flight, then queued. */
    private void offer(Chunk chunk) {
        chunk.partition().onEnqueued(NOW, chunk.records(), chunk.bytes());
        assertThat(queue.offer(chunk)).isTrue();
    }

    private void start() {
        BatchingSender.Fence fence = new BatchingSender.Fence() {
            @Override
            public LinkFence.Verdict check() {
                events.fenceChecks++;
                return verdict;
            }

            @Override
            public String fencedBy() {
                return verdict == LinkFence.Verdict.FENCED ? "taken over" : null;
            }
        };
        sender = new BatchingSender(
                () -> target,
                queue,
                1_000,
                (tp, map) -> persisted
                        .computeIfAbsent(tp, t -> new CopyOnWriteArrayList<>())
                        .add(new long[] {map.replicatedPosition(), map.targetPosition()}),
                meters,
                metrics,
                fence,
                events);
        thread = new Thread(sender, "sender-under-test");
        thread.start();
    }

    private static long[] last(List<long[]> persists) {
        assertThat(persists).as("persisted").isNotEmpty();
        return persists.get(persists.size() - 1);
    }

    private static List<ConsumerRecord<byte[], byte[]>> records(TopicPartition tp, long from, int n) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(record(tp, from + i, "k" + (from + i), "v" + (from + i)));
        }
        return out;
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, String key, String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", ("h" + offset).getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>(
                tp.topic(),
                tp.partition(),
                offset,
                NOW - 1_000 + offset,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8),
                headers,
                Optional.empty());
    }

    @SafeVarargs
    private static List<String> values(List<ConsumerRecord<byte[], byte[]>>... lists) {
        List<String> out = new ArrayList<>();
        for (List<ConsumerRecord<byte[], byte[]>> list : lists) {
            list.forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** A source batch as the byte path holds it: lz4, from another producer, at its source offsets. */
    private static SourceBatch.Forward forwarded(long firstOffset, int n) {
        SimpleRecord[] records = new SimpleRecord[n];
        for (int i = 0; i < n; i++) {
            records[i] = new SimpleRecord(
                    NOW,
                    ("k" + i).getBytes(StandardCharsets.UTF_8),
                    ("f" + (firstOffset + i)).getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords memory = MemoryRecords.withIdempotentRecords(
                firstOffset, Compression.lz4().build(), 9_999L, (short) 3, 17, -1, records);
        return new SourceBatch.Forward(memory.buffer(), 0, firstOffset, n, memory.sizeInBytes());
    }

    private static List<String> forwardedValues(long firstOffset, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("f" + (firstOffset + i));
        }
        return out;
    }

    /** What the sender told its owner. Written on the sender thread, read by the test. */
    private static final class Events implements BatchingSender.Listener {
        final List<String> failed = new CopyOnWriteArrayList<>();
        final List<String> retried = new CopyOnWriteArrayList<>();
        final List<String> fenced = new CopyOnWriteArrayList<>();
        volatile int fenceChecks;

        @Override
        public void sendFailed(PartitionState partition, Throwable error) {
            failed.add(partition.tp + ": " + error.getMessage());
        }

        @Override
        public void sendRetried(PartitionState partition, Throwable error) {
            retried.add(partition.tp + ": " + error.getMessage());
        }

        @Override
        public void fenced(String reason) {
            fenced.add(reason);
        }

        @Override
        public void senderFailed(String reason) {
            failed.add("sender: " + reason);
        }
    }

    /**
     * The target's partition leaders as the sender meets them: a log per partition that takes a batch of the link's
     * producer only at the sequence of its end (else {@link OutOfOrderSequenceException}), refuses a batch over the
     * partition's {@code max.message.bytes}, and fails the attempts a test scripts. Counts every rule the sender
     * breaks (two batches of one partition in one write, another producer id) instead of throwing on its thread.
     */
    private static final class Leaders implements BatchTarget {
        final Map<TopicPartition, List<String>> logs = new HashMap<>();
        final Map<TopicPartition, Integer> maxBatchBytes = new ConcurrentHashMap<>();
        /** Per partition: attempt number to error, and a default for attempts not listed. */
        final Map<TopicPartition, Map<Integer, KafkaException>> script = new HashMap<>();

        final Map<TopicPartition, KafkaException> always = new HashMap<>();
        final Map<TopicPartition, List<Integer>> attempts = new HashMap<>();
        final Map<TopicPartition, Integer> lastAckWrite = new HashMap<>();
        final List<List<TopicPartition>> writes = new CopyOnWriteArrayList<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final List<Integer> landedSizes = new CopyOnWriteArrayList<>();
        volatile int tooLarge;
        volatile long deliveryTimeoutMs = 30_000;

        synchronized void preload(TopicPartition tp, int records) {
            for (int i = 0; i < records; i++) {
                logs.computeIfAbsent(tp, t -> new ArrayList<>()).add("earlier" + i);
            }
        }

        synchronized void failNext(TopicPartition tp, KafkaException... errors) {
            for (int i = 0; i < errors.length; i++) {
                script.computeIfAbsent(tp, t -> new HashMap<>()).put(i, errors[i]);
            }
        }

        synchronized void failAfter(TopicPartition tp, int okAttempts, KafkaException error) {
            script.computeIfAbsent(tp, t -> new HashMap<>()).put(okAttempts, error);
        }

        /** Every attempt on {@code tp} fails with {@code error} from now on; null ends that. */
        synchronized void failAlways(TopicPartition tp, KafkaException error) {
            if (error == null) {
                always.remove(tp);
            } else {
                always.put(tp, error);
            }
        }

        synchronized List<String> values(TopicPartition tp) {
            return new ArrayList<>(logs.getOrDefault(tp, List.of()));
        }

        /** The base sequence of each attempt on the partition, in order. */
        synchronized List<Integer> attempts(TopicPartition tp) {
            return new ArrayList<>(attempts.getOrDefault(tp, List.of()));
        }

        synchronized int writeOfLastAck(TopicPartition tp) {
            return lastAckWrite.getOrDefault(tp, -1);
        }

        @Override
        public synchronized Map<TopicPartition, Result> write(List<Batch> batches) {
            int write = writes.size();
            List<TopicPartition> partitions = batches.stream().map(Batch::tp).toList();
            writes.add(partitions);
            if (partitions.stream().distinct().count() != partitions.size()) {
                violations.add("two batches of one partition in write " + write + ": " + partitions);
            }
            Map<TopicPartition, Result> results = new HashMap<>();
            for (Batch b : batches) {
                results.put(b.tp(), append(b, write));
            }
            return results;
        }

        private Result append(Batch b, int write) {
            List<String> log = logs.computeIfAbsent(b.tp(), t -> new ArrayList<>());
            List<RecordBatch> inside = new ArrayList<>();
            b.memory().batches().forEach(inside::add);
            if (inside.size() != 1 || inside.get(0).countOrNull() != b.records()) {
                violations.add("not one batch of " + b.records() + " records for " + b.tp());
            }
            RecordBatch batch = inside.get(0);
            List<Integer> tried = attempts.computeIfAbsent(b.tp(), t -> new ArrayList<>());
            int attempt = tried.size();
            tried.add(batch.baseSequence());
            if (batch.producerId() != LINK.producerId() || batch.producerEpoch() != LINK.epoch()) {
                violations.add("batch of producer " + batch.producerId() + " for " + b.tp());
            }
            if (batch.isTransactional() || batch.baseOffset() != 0) {
                violations.add("header not rewritten for " + b.tp());
            }
            KafkaException scripted = script.getOrDefault(b.tp(), Map.of()).get(attempt);
            if (scripted == null) {
                scripted = always.get(b.tp());
            }
            if (scripted != null) {
                return new Result.Failed(scripted);
            }
            if (b.sizeInBytes() > maxBatchBytes.getOrDefault(b.tp(), Integer.MAX_VALUE)) {
                tooLarge++;
                return new Result.Failed(
                        new RecordTooLargeException("batch of " + b.sizeInBytes() + " bytes over max.message.bytes"));
            }
            if (batch.baseSequence() != BatchEncoder.sequenceAt(log.size())) {
                return new Result.Failed(new OutOfOrderSequenceException(
                        "sequence " + batch.baseSequence() + " at log end " + log.size()));
            }
            long base = log.size();
            for (Record r : batch) {
                byte[] value = new byte[r.valueSize()];
                r.value().get(value);
                log.add(new String(value, StandardCharsets.UTF_8));
            }
            landedSizes.add(b.sizeInBytes());
            lastAckWrite.put(b.tp(), write);
            return new Result.Acked(base);
        }

        @Override
        public BatchEncoder encoder() {
            return new BatchEncoder(LINK, Compression.NONE, 1 << 20);
        }

        @Override
        public long deliveryTimeoutMs() {
            return deliveryTimeoutMs;
        }

        @Override
        public long retryBackoffMs() {
            return 1;
        }

        @Override
        public void close() {}
    }
}

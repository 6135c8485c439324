package strait.replicator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.offsets.OffsetMap;

/**
 * The sender thread: takes chunks from the fetcher, writes them to the same topic and partition on the target
 * through its {@link BatchTarget}, in rounds of one request per leader carrying the next batch of every partition that
 * has one ready, and, in source order, extends each partition's offset map with the acked target offsets; the map is
 * persisted each time a partition's outgoing chunks are all written. Each partition waits only for its own acks and
 * retries: a partition retrying or stopped never holds back the others (decision 0006).
 *
 * <p>Each record is written with the sequence number of the target offset it must land at
 * ({@link BatchEncoder#sequenceAt}), under the producer id every instance of the link shares. The partition leader
 * takes a sequence only right after the previous one, and a duplicate of its latest batches is answered with the
 * first copy's offsets: so a batch lands only at the offset its records belong at, and a second copy (an older
 * instance waking from a pause, a request that timed out but was appended) is refused whoever sends it
 * (docs/decisions/0004). A partition has one batch in flight at a time; its next batch is built after the ack, so
 * small forwarded batches queued behind one another are written as one batch of their records ({@link SmallBatches},
 * decision 0016) rather than one per round trip.
 * After a failed send, chunks of that assignment epoch are dropped: nothing is written past the failure until the
 * partition was reconciled and assigned again.
 *
 * <p>A retriable error (leader change, timeout, throttling) resends the same batch until {@code delivery.timeout.ms};
 * a refusal or a spent timeout (counted per batch from its first send) stops the partition's map at the last acked
 * record and hands the partition to the
 * admin worker, which reconciles the target tail record by record before anything more is written. Before each
 * round of requests it asks the link's fence ({@link LinkFence#check}); once fenced it ends without sending more.
 *
 * <p>Threads: {@link #run} is a sender thread, the single writer of the maps of its pipeline's RUNNING partitions and
 * the only user of its writer; {@link #close} from any thread.
 */
final class BatchingSender implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingSender.class);
    /** The largest batch when the target topic's max.message.bytes could not be read (Kafka's default). */
    private static final int DEFAULT_MAX_BATCH_BYTES = 1_048_588;
    /** Refusals of the same sequence, with reconciliation in between, before the partition stops. */
    private static final int MAX_SEQUENCE_REFUSALS = 3;

    /** Where the sender persists a partition's map after an ack extended it: the link's offset map topic. */
    interface MapPersister {
        void persist(TopicPartition tp, OffsetMap map);
    }

    /** What the sender asks before each round it sends: the link's fence ({@link LinkFence}). */
    interface Fence {
        /** Whether this instance may write now; may block while a proof round-trips to the target. */
        LinkFence.Verdict check();

        /** Why this instance was fenced, or null while it was not. */
        String fencedBy();
    }

    /** What the sender reports to its owner. Called on the sender thread. */
    interface Listener {
        /** A send failed: the partition is stopped (fatal) or must be reconciled (transient). */
        void sendFailed(PartitionState partition, Throwable error);

        /** A send failed with a retriable error and is tried again: counted, not acted on. */
        void sendRetried(PartitionState partition, Throwable error);

        /** Another instance took over the link: this one must not write any more. */
        void fenced(String reason);

        /** The sender thread ended on an unexpected error: nothing more is written. */
        void senderFailed(String reason);
    }

    private final Supplier<? extends BatchTarget> writers;
    private final MessagePassingQueue<Chunk> fromFetcher;
    private final int batchMaxRecords;
    private final MapPersister store;
    private final Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters;
    private final ReplicatorMetrics metrics;
    private final Fence fence;
    private final Listener listener;
    private volatile boolean running = true;
    /** Topics to prepare the writer for, from {@link #prepare}. */
    private final Queue<Collection<String>> toPrepare = new ConcurrentLinkedQueue<>();
    /** Set as the thread ends: it was closed, and no send of its ever failed (a failed one might still land). */
    private volatile boolean endedCleanly;

    // Sender thread only.
    private boolean anySendFailed;
    private BatchTarget writer;
    private BatchEncoder encoder;
    /** Per partition with something to write, the chunks being written (at most one batch of them in flight). */
    private final Map<PartitionState, Outgoing> active = new LinkedHashMap<>();
    /** Per partition, chunks that arrived after its {@link #active} ones started: written once those are done. */
    private final Map<PartitionState, ArrayDeque<Chunk>> waiting = new HashMap<>();
    /** Per partition whose send failed, the assignment epoch it failed in: later chunks of it are dropped. */
    private final Map<PartitionState, Integer> failedEpoch = new HashMap<>();
    /** Per partition, the target offset whose sequence the leader last refused, and how often in a row. */
    private final Map<PartitionState, long[]> sequenceRefusals = new HashMap<>();

    BatchingSender(
            Supplier<? extends BatchTarget> writers,
            MessagePassingQueue<Chunk> fromFetcher,
            int batchMaxRecords,
            MapPersister store,
            Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters,
            ReplicatorMetrics metrics,
            Fence fence,
            Listener listener) {
        this.writers = writers;
        this.fromFetcher = fromFetcher;
        this.batchMaxRecords = batchMaxRecords;
        this.store = store;
        this.meters = meters;
        this.metrics = metrics;
        this.fence = fence;
        this.listener = listener;
    }

    /**
     * Any thread: topics about to be assigned; while it has nothing to write, the sender thread has its writer look up
     * their leaders and connect to them ({@link BatchTarget#prepare}).
     */
    void prepare(Collection<String> topics) {
        toPrepare.offer(List.copyOf(topics));
    }

    /** Any thread: the sender ends after its current round, persisting the maps its acks advanced. */
    void close() {
        running = false;
    }

    /** Any thread, once {@link #run} returned: whether nothing this sender sent can still land on the target. */
    boolean endedCleanly() {
        return endedCleanly;
    }

    @Override
    public void run() {
        try {
            writer = writers.get();
            encoder = writer.encoder();
            int idle = 0;
            while (running) {
                prepareWriter();
                drain();
                Round round = sendRound();
                if (round == Round.ENDED) {
                    return;
                }
                idle = round == Round.SENT ? 0 : idle(idle);
            }
            boolean uncertain = active.values().stream().anyMatch(o -> o.uncertain);
            finishAll(false);
            endedCleanly = !anySendFailed && !uncertain;
        } catch (RuntimeException e) {
            // A defect or an unusable client: never carry on silently with a dead sender.
            LOG.error("sender thread failed: {}", Failures.describe(e), e);
            listener.senderFailed("sender thread failed: " + Failures.describe(e));
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
    }

    /** Prepares the writer for topics about to be assigned, unless it is writing already (then writes do it). */
    private void prepareWriter() {
        Collection<String> topics;
        while ((topics = toPrepare.poll()) != null) {
            if (active.isEmpty() && fromFetcher.isEmpty()) {
                writer.prepare(topics);
            }
        }
    }

    /** Waits until the fence is proven held (true) or lost or the sender closes (false). */
    private boolean holdsFence() {
        while (running) {
            LinkFence.Verdict verdict = fence.check();
            if (verdict == LinkFence.Verdict.HELD) {
                return true;
            }
            if (verdict == LinkFence.Verdict.FENCED) {
                listener.fenced(fence.fencedBy());
                return false;
            }
            LockSupport.parkNanos(200_000_000L);
        }
        return false;
    }

    /**
     * Takes what the fetcher queued, up to {@code replication.batch.max.records}: a chunk joins its partition's
     * outgoing chunks while none of them was sent yet (so they go out in larger batches), and waits its turn otherwise.
     */
    private void drain() {
        int records = 0;
        Chunk chunk;
        while (records < batchMaxRecords && (chunk = fromFetcher.relaxedPoll()) != null) {
            records += chunk.records();
            PartitionState ps = chunk.partition();
            if (!writable(chunk)) {
                chunk.release();
                continue;
            }
            Outgoing o = active.get(ps);
            if (o == null) {
                o = new Outgoing(ps);
                active.put(ps, o);
                o.add(chunk);
            } else if (!o.started && !waiting.containsKey(ps)) {
                o.add(chunk);
            } else {
                waiting.computeIfAbsent(ps, p -> new ArrayDeque<>()).add(chunk);
            }
        }
    }

    /** Whether the chunk is of the partition's current assignment, and not of one whose send failed. */
    private boolean writable(Chunk chunk) {
        Integer failed = failedEpoch.get(chunk.partition());
        return live(chunk) && (failed == null || chunk.epoch() > failed);
    }

    private static int idle(int idle) {
        if (idle < 100) {
            Thread.onSpinWait();
        } else {
            LockSupport.parkNanos(idle < 1000 ? 50_000L : 1_000_000L);
        }
        return idle + 1;
    }

    private static boolean live(Chunk chunk) {
        PartitionState ps = chunk.partition();
        return ps.state() == PartitionRunState.RUNNING && ps.epoch() == chunk.epoch();
    }

    /**
     * One partition's share of a batch: its live chunks and their source batches in order, and how far they are acked.
     * Records are counted across the source batches: record {@code i} is in the source batch {@code b} with
     * {@code starts[b] <= i < starts[b] + count}.
     */
    private static final class Outgoing {
        final PartitionState ps;
        final List<Chunk> chunks = new ArrayList<>();
        /** The source batches, in order; a forwarded one the broker finds too large is replaced by its records. */
        final List<SourceBatch> batches = new ArrayList<>();
        /** Per source batch, the record index of its first record. */
        final List<Integer> starts = new ArrayList<>();
        /** Records in all batches. */
        int total;
        /** The source batch holding the next record to write. */
        int current;
        /** Per chunk, the record index after its last record. */
        final List<Integer> chunkEnds = new ArrayList<>();
        /** Chunks completed (map advanced past them). */
        int chunk;
        /** Records acked. */
        int acked;

        BatchTarget.Batch inFlight;
        /** The topic's max.message.bytes; batches are built up to {@link #maxBatchBytes}, halved if the broker says. */
        final int topicMaxBytes;

        int maxBatchBytes;
        Throwable failure;
        /** Stopped or reassigned meanwhile: nothing more of it is written. */
        boolean dropped;

        boolean advanced;
        /** Where the first record the target would refuse is ({@code total} if none), -1 until looked. */
        int refusedAt = -1;

        KafkaException refusal;

        /** A batch of it was built: chunks arriving from here wait for the next {@link Outgoing}. */
        boolean started;
        /** When the batch in flight may be sent again after a retriable error (nanoTime). */
        long retryAtNanos;
        /** Until when the batch in flight may be retried ({@code delivery.timeout.ms} from its first send), 0 unsent. */
        long deadlineNanos;
        /** The batch in flight failed retriably: it may have landed, which only reconciliation can tell. */
        boolean uncertain;

        Outgoing(PartitionState ps) {
            this.ps = ps;
            int max = ps.limits.maxBatchBytes();
            this.topicMaxBytes = max > 0 ? max : DEFAULT_MAX_BATCH_BYTES;
            this.maxBatchBytes = topicMaxBytes;
        }

        void add(Chunk c) {
            chunks.add(c);
            for (SourceBatch b : c.batches()) {
                batches.add(b);
                starts.add(total);
                total += b.count();
            }
            chunkEnds.add(total);
        }

        /**
         * Replaces the {@code n} forwarded batches from {@code b} on by their records, as one batch to encode
         * ({@link SmallBatches}); record indices do not move.
         */
        SourceBatch.Encode merge(int b, int n) {
            List<SourceBatch.Forward> run = new ArrayList<>(n);
            for (int i = b; i < b + n; i++) {
                run.add((SourceBatch.Forward) batches.get(i));
            }
            SourceBatch.Encode merged = SourceBatches.decode(ps.tp, run);
            batches.subList(b + 1, b + n).clear();
            starts.subList(b + 1, b + n).clear();
            batches.set(b, merged);
            return merged;
        }

        /** The source batch holding record {@code index} (moving forward only). */
        int batchOf(int index) {
            while (current + 1 < batches.size() && starts.get(current + 1) <= index) {
                current++;
            }
            return current;
        }

        /** The source offset of record {@code index}. */
        long sourceOffset(int index) {
            int b = batchOf(index);
            SourceBatch batch = batches.get(b);
            int within = index - starts.get(b);
            return batch instanceof SourceBatch.Encode e
                    ? e.records().get(within).offset()
                    : batch.firstOffset() + within;
        }

        boolean done() {
            return failure != null || dropped || chunk == chunks.size();
        }
    }

    /** What one turn of the sender's loop did. */
    private enum Round {
        /** Batches were written. */
        SENT,
        /** Nothing was ready to send (nothing queued, or only retries backing off). */
        IDLE,
        /** Fenced, or closed while waiting for the fence: the sender ends. */
        ENDED
    }

    /**
     * One request per leader, carrying the next batch of every partition that has one ready. A partition waits only
     * for its own acks and retries: one that retries (or fails) never holds back the others, and a partition whose
     * chunks are all written is finished (map persisted) and continues with the chunks that waited for it.
     */
    private Round sendRound() {
        long now = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        List<Outgoing> sent = new ArrayList<>();
        List<BatchTarget.Batch> round = new ArrayList<>();
        for (PartitionState ps : new ArrayList<>(active.keySet())) {
            Outgoing o = ready(active.get(ps), now);
            if (o != null && o.inFlight != null && nowNanos - o.retryAtNanos >= 0) {
                if (o.deadlineNanos == 0) {
                    o.deadlineNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(writer.deliveryTimeoutMs());
                }
                sent.add(o);
                round.add(o.inFlight);
            }
        }
        if (round.isEmpty()) {
            return Round.IDLE;
        }
        // The fence is proven before each round (a volatile read while the proof is fresh). What an older
        // instance sends after a pause is refused by the leader anyway unless it is exactly the next record.
        if (!holdsFence()) {
            finishAll(fence.fencedBy() != null);
            return Round.ENDED;
        }
        Map<TopicPartition, BatchTarget.Result> results = writer.write(round);
        now = System.currentTimeMillis();
        nowNanos = System.nanoTime();
        for (Outgoing o : sent) {
            BatchTarget.Result result = results.get(o.ps.tp);
            if (result instanceof BatchTarget.Result.Acked acked) {
                o.failure = applyAcks(o, acked.baseOffset(), now);
                o.inFlight = null;
                o.deadlineNanos = 0;
                o.uncertain = false;
            } else if (result instanceof BatchTarget.Result.Failed failed) {
                KafkaException error = failed.error();
                if (error instanceof RecordTooLargeException && o.inFlight.records() > 1) {
                    // The broker measured the batch larger than built (recompressed for the topic): halve it;
                    // a forwarded batch is decoded and written as records from here.
                    int b = o.batchOf(o.acked);
                    if (o.batches.get(b) instanceof SourceBatch.Forward forward) {
                        o.batches.set(b, SourceBatches.decode(o.ps.tp, forward));
                        metrics.batch("record", "too_large");
                    }
                    o.maxBatchBytes = Math.max(1, o.inFlight.sizeInBytes() / 2);
                    o.inFlight = null;
                } else if (error instanceof RetriableException && nowNanos - o.deadlineNanos < 0) {
                    listener.sendRetried(o.ps, error);
                    o.uncertain = true;
                    o.retryAtNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(writer.retryBackoffMs());
                } else {
                    o.failure = error;
                    o.inFlight = null;
                }
            }
            // Deferred: the request to its leader was full; it goes in the next round.
        }
        return Round.SENT;
    }

    /**
     * The partition's outgoing chunks with their next batch built, moving past chunks fully acked; when they are all
     * written (or failed, or dropped) they are finished and the chunks that waited take their place. Null when the
     * partition has nothing more to write.
     */
    private Outgoing ready(Outgoing o, long now) {
        PartitionState ps = o.ps;
        while (true) {
            completeChunks(o, now);
            if (!o.done() && !live(o.chunks.get(o.chunk))) {
                o.dropped = true;
                o.inFlight = null;
            }
            if (!o.done() && o.inFlight == null) {
                o.inFlight = next(o, now);
                o.started = true;
            }
            if (!o.done()) {
                return o;
            }
            finish(o, false);
            o = fromWaiting(ps);
            if (o == null) {
                active.remove(ps);
                return null;
            }
            active.put(ps, o);
        }
    }

    /**
     * Ends a partition's outgoing chunks: persists the map its acks advanced, hands a failed partition to the owner
     * (dropping what waited behind it), and releases the chunks not written.
     */
    private void finish(Outgoing o, boolean fenced) {
        // Once fenced, the offsets topic is the new instance's: nothing is persisted from here.
        if (o.advanced && !fenced) {
            trimBelowSourceLogStart(o.ps.map(), o.ps.sourceLogStart);
            store.persist(o.ps.tp, o.ps.map());
            o.advanced = false;
        }
        if (o.failure != null && !fenced) {
            anySendFailed = true;
            failedEpoch.put(o.ps, o.chunks.get(0).epoch());
            // The partition's chunks stay in flight until it is handed over: the status refresh takes a target
            // end past the map, with nothing in flight on a RUNNING partition, for another writer's records.
            listener.sendFailed(o.ps, stopIfRefusedAgain(o));
            release(waiting.remove(o.ps));
        }
        for (int c = o.chunk; c < o.chunks.size(); c++) {
            o.chunks.get(c).release();
        }
        o.chunk = o.chunks.size();
    }

    /** The chunks that waited for the partition's previous outgoing ones, those still writable; null if none. */
    private Outgoing fromWaiting(PartitionState ps) {
        ArrayDeque<Chunk> queued = waiting.remove(ps);
        if (queued == null) {
            return null;
        }
        Outgoing o = null;
        for (Chunk chunk : queued) {
            if (!writable(chunk)) {
                chunk.release();
                continue;
            }
            if (o == null) {
                o = new Outgoing(ps);
            }
            o.add(chunk);
        }
        return o;
    }

    /** The sender ends: every partition's outgoing chunks are finished and what waited is released. */
    private void finishAll(boolean fenced) {
        for (Outgoing o : active.values()) {
            finish(o, fenced);
        }
        active.clear();
        waiting.values().forEach(BatchingSender::release);
        waiting.clear();
    }

    private static void release(ArrayDeque<Chunk> chunks) {
        if (chunks != null) {
            chunks.forEach(Chunk::release);
        }
    }
    /**
     * The partition's next batch from where its records are written, or null (with the failure set) when its next
     * record is one the target would refuse: nothing after it may be written.
     */
    private BatchTarget.Batch next(Outgoing o, long now) {
        if (o.acked == o.total) {
            return null;
        }
        // Only records the target accepts are written: the last batch ends before the first it would refuse. Looked
        // for once per outgoing chunks, not per round.
        if (o.refusedAt < 0) {
            o.refusedAt = firstRefused(o, now);
        }
        if (o.acked == o.refusedAt) {
            o.failure = o.refusal;
            return null;
        }
        int sequence = BatchEncoder.sequenceAt(o.ps.map().targetPosition());
        int b = o.batchOf(o.acked);
        SourceBatch source = o.batches.get(b);
        int start = o.starts.get(b);
        int run = SmallBatches.run(o.batches, b, o.maxBatchBytes);
        if (run > 0) {
            source = o.merge(b, run);
            metrics.batches("record", "coalesced", run);
        }
        if (source instanceof SourceBatch.Forward forward) {
            if (forward.sizeInBytes() <= o.maxBatchBytes) {
                return encoder.forward(o.ps.tp, forward, sequence);
            }
            // Larger than the target topic takes: its records are written in smaller batches.
            source = SourceBatches.decode(o.ps.tp, forward);
            o.batches.set(b, source);
            metrics.batch("record", "too_large");
        }
        SourceBatch.Encode encode = (SourceBatch.Encode) source;
        List<ConsumerRecord<byte[], byte[]>> records = encode.records();
        int end = Math.min(records.size(), o.refusedAt - start);
        BatchTarget.Batch built = encoder.build(
                o.ps.tp,
                sequence,
                records.subList(0, end),
                o.acked - start,
                o.maxBatchBytes,
                now,
                encode.compression());
        if (built.records() == 1 && built.sizeInBytes() > o.topicMaxBytes) {
            o.failure = new RecordTooLargeException("source record at offset "
                    + records.get(o.acked - start).offset()
                    + " needs a " + built.sizeInBytes() + "-byte batch; the target topic's max.message.bytes is "
                    + o.topicMaxBytes);
            return null;
        }
        return built;
    }

    /**
     * The index of the first record from the acked one on that the target would refuse ({@code total} if none); a
     * forwarded batch is refused whole, at its first record. Sets {@link Outgoing#refusal}.
     */
    private int firstRefused(Outgoing o, long now) {
        TargetLimits limits = o.ps.limits;
        for (int b = o.batchOf(o.acked); b < o.batches.size(); b++) {
            SourceBatch batch = o.batches.get(b);
            int start = o.starts.get(b);
            boolean forwarded = batch instanceof SourceBatch.Forward;
            if (batch instanceof SourceBatch.Forward forward) {
                if (!limits.mayRefuse(forward, now)) {
                    continue;
                }
                batch = SourceBatches.decode(o.ps.tp, forward);
            }
            List<ConsumerRecord<byte[], byte[]>> records = ((SourceBatch.Encode) batch).records();
            for (int i = Math.max(0, o.acked - start); i < records.size(); i++) {
                if ((o.refusal = limits.refusal(records.get(i), now)) != null) {
                    if (forwarded) {
                        // The records before the refused one are still written, as records.
                        o.batches.set(b, batch);
                        metrics.batch("record", "target_refuses");
                    }
                    return start + i;
                }
            }
        }
        return o.total;
    }

    /** Moves past chunks whose records are all acked, advancing the map over the offsets after their last record. */
    private void completeChunks(Outgoing o, long now) {
        while (o.failure == null
                && o.inFlight == null
                && o.chunk < o.chunks.size()
                && o.acked >= o.chunkEnds.get(o.chunk)) {
            Chunk chunk = o.chunks.get(o.chunk);
            OffsetMap map = o.ps.map();
            if (chunk.nextOffset() > map.replicatedPosition()) {
                map.advanceTo(chunk.nextOffset());
                o.advanced = true;
            }
            o.ps.lastAdvanceMillis = now;
            chunk.release();
            o.chunk++;
        }
    }

    /**
     * A sequence the leader refuses again and again at the same offset, with nothing new on the target to reconcile,
     * means another producer wrote after this link's writer (an instance of an older version): stop, with the reason.
     */
    private Throwable stopIfRefusedAgain(Outgoing o) {
        if (!(Failures.unwrap(o.failure) instanceof OutOfOrderSequenceException)) {
            sequenceRefusals.remove(o.ps);
            return o.failure;
        }
        long position = o.ps.map().targetPosition();
        long[] seen = sequenceRefusals.computeIfAbsent(o.ps, ps -> new long[] {position, 0});
        if (seen[0] != position) {
            seen[0] = position;
            seen[1] = 0;
        }
        if (++seen[1] < MAX_SEQUENCE_REFUSALS) {
            return o.failure;
        }
        sequenceRefusals.remove(o.ps);
        return ForeignWriteException.refusedSequence(o.ps.tp, position, MAX_SEQUENCE_REFUSALS, o.failure);
    }

    /**
     * Forgets the runs of records retention has deleted from the source, here because this thread is the map's only
     * writer; never past the replicated position (records deleted before they were copied stop the fetch instead).
     */
    private static void trimBelowSourceLogStart(OffsetMap map, long sourceLogStart) {
        long trimTo = Math.min(sourceLogStart, map.replicatedPosition());
        if (trimTo > map.oldestTranslatable()) {
            map.trimBelow(trimTo);
        }
    }

    /**
     * Extends the map with the acked batch's records, in order; returns why the partition must stop, or null. The
     * batch landed contiguously from {@code baseOffset}, which must be the map's next target offset.
     */
    private Throwable applyAcks(Outgoing o, long baseOffset, long now) {
        PartitionState ps = o.ps;
        OffsetMap map = ps.map();
        if (baseOffset != map.targetPosition()) {
            return ForeignWriteException.atAck(ps.tp, map.targetPosition(), baseOffset);
        }
        ReplicatorMetrics.PartitionMeters m = meters.get(ps);
        int b = o.batchOf(o.acked);
        SourceBatch source = o.batches.get(b);
        long offset = baseOffset;
        int n = o.inFlight.records();
        if (source instanceof SourceBatch.Encode encode) {
            int from = o.acked - o.starts.get(b);
            for (int i = 0; i < n; i++, offset++) {
                ConsumerRecord<byte[], byte[]> record = encode.records().get(from + i);
                map.append(record.offset(), offset);
                m.bytes().increment(Chunk.sizeOf(record) - 64);
                if (record.timestamp() >= 0) {
                    m.latency().record(Math.max(0, now - record.timestamp()), TimeUnit.MILLISECONDS);
                }
            }
            metrics.written("record", o.inFlight.sizeInBytes());
            ps.recordsEncoded += n;
        } else {
            SourceBatch.Forward forward = (SourceBatch.Forward) source;
            for (int i = 0; i < n; i++, offset++) {
                map.append(forward.firstOffset() + i, offset);
            }
            m.bytes().increment(forward.sizeInBytes());
            long timestamp = BatchHeader.maxTimestamp(forward.buffer(), forward.at());
            if (timestamp >= 0) {
                m.latency().record(Math.max(0, now - timestamp), TimeUnit.MILLISECONDS);
            }
            metrics.written("byte", forward.sizeInBytes());
            metrics.batch("byte", "forwarded");
            ps.recordsForwarded += n;
        }
        m.records().increment(n);
        o.acked += n;
        o.advanced = true;
        ps.lastAdvanceMillis = now;
        sequenceRefusals.remove(ps);
        return null;
    }
}

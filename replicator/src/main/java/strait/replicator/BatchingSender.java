package strait.replicator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.offsets.OffsetMap;
import strait.offsets.OffsetMapStore;

/**
 * The sender thread: drains chunks from the fetcher (smart batching: whatever is there, up to
 * {@code replication.batch.max.records}), sends every record to the same topic and partition on the target with the
 * idempotent producer, flushes at the end of the batch, then, in source order, extends each partition's offset map
 * with the acked target offsets and persists it. The flush is a barrier: nothing is in flight between batches.
 * Before each chunk it sends, it asks the link's fence ({@link LinkFence#check}); once fenced it drops what the
 * producer has not sent yet and ends.
 *
 * <p>On a failed send the partition's map stops just before the failed record (later records of that partition in
 * the batch are not counted even if the target took them); the producer is closed and recreated (a fresh producer id,
 * so no sequence state leaks into the next batch), and the partition is handed to the admin worker, which reconciles
 * the target tail record by record before anything more is written: a later batch never lands after an earlier one
 * failed without that being detected.
 *
 * <p>Threads: {@link #run} is a sender thread, the single writer of the maps of its pipeline's RUNNING partitions;
 * {@link #close} from any thread. Producer callbacks are not used: acks are read from the futures after the flush, on
 * this thread.
 */
final class BatchingSender implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingSender.class);

    /** What the sender reports to its owner. Called on the sender thread. */
    interface Listener {
        /** A send failed: the partition is stopped (fatal) or must be reconciled (transient). */
        void sendFailed(PartitionState partition, Throwable error);

        /** Another instance took over the link: this one must not write any more. */
        void fenced(String reason);

        /** The sender thread ended on an unexpected error: nothing more is written. */
        void senderFailed(String reason);
    }

    private final Supplier<Producer<byte[], byte[]>> producers;
    private final MessagePassingQueue<Chunk> fromFetcher;
    private final int batchMaxRecords;
    private final OffsetMapStore store;
    private final Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters;
    private final LinkFence fence;
    private final Listener listener;
    private volatile boolean running = true;
    /** Set as the thread ends: it was closed, and no send of its ever failed (a failed one might still land). */
    private volatile boolean endedCleanly;

    // Sender thread only.
    private boolean anySendFailed;
    private Producer<byte[], byte[]> producer;
    private final List<Chunk> batch = new ArrayList<>();

    BatchingSender(Supplier<Producer<byte[], byte[]>> producers, MessagePassingQueue<Chunk> fromFetcher,
            int batchMaxRecords, OffsetMapStore store, Map<PartitionState, ReplicatorMetrics.PartitionMeters> meters,
            LinkFence fence, Listener listener) {
        this.producers = producers;
        this.fromFetcher = fromFetcher;
        this.batchMaxRecords = batchMaxRecords;
        this.store = store;
        this.meters = meters;
        this.fence = fence;
        this.listener = listener;
    }

    /** Any thread: the sender finishes its current batch (flush, map, persist) and ends. */
    void close() {
        running = false;
    }

    /** Any thread, once {@link #run} returned: whether nothing this sender sent can still land on the target. */
    boolean endedCleanly() {
        return endedCleanly;
    }

    @Override
    public void run() {
        producer = producers.get();
        int idle = 0;
        try {
            while (running) {
                drain();
                if (batch.isEmpty()) {
                    idle = idle(idle);
                    continue;
                }
                idle = 0;
                boolean carryOn = sendBatch();
                batch.clear();
                if (!carryOn) {
                    return;
                }
            }
            endedCleanly = !anySendFailed;
        } catch (RuntimeException e) {
            // A defect or an unusable producer: never carry on silently with a dead sender.
            LOG.error("sender thread failed: {}", Failures.describe(e), e);
            listener.senderFailed("sender thread failed: " + Failures.describe(e));
        } finally {
            producer.close(Duration.ofSeconds(5));
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

    private void drain() {
        int records = 0;
        Chunk chunk;
        while (records < batchMaxRecords && (chunk = fromFetcher.relaxedPoll()) != null) {
            batch.add(chunk);
            records += chunk.records().size();
        }
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

    /** Sends, flushes and applies one batch; false when the sender must end (fenced, or closing mid-batch). */
    private boolean sendBatch() {
        List<List<Future<RecordMetadata>>> futures = new ArrayList<>(batch.size());
        Set<PartitionState> refused = new java.util.HashSet<>();
        int abandonedFrom = batch.size();
        for (int c = 0; c < batch.size(); c++) {
            Chunk chunk = batch.get(c);
            PartitionState ps = chunk.partition();
            if (!live(chunk) || refused.contains(ps)) {
                futures.add(List.of());
                continue;
            }
            // The fence is proven per chunk, not per batch (a volatile read while the proof is fresh): a sender
            // frozen mid-batch (GC pause, SIGSTOP) past the new instance's grace finds itself fenced when it wakes
            // and sends none of the rest. What it already handed to the producer may still go out (decision 0003).
            if (c >= abandonedFrom || !chunk.records().isEmpty() && !holdsFence()) {
                abandonedFrom = Math.min(abandonedFrom, c);
                futures.add(List.of());
                continue;
            }
            List<Future<RecordMetadata>> sent = new ArrayList<>(chunk.records().size());
            TargetLimits limits = ps.limits;
            long now = System.currentTimeMillis();
            for (ConsumerRecord<byte[], byte[]> record : chunk.records()) {
                KafkaException refusal = limits.refusal(record, now);
                if (refusal != null) {
                    // Nothing after a refused record may be sent: it would land past a hole.
                    refused.add(ps);
                    sent.add(CompletableFuture.failedFuture(refusal));
                    break;
                }
                sent.add(send(record));
            }
            futures.add(sent);
        }
        if (fence.fencedBy() != null) {
            // Another instance owns the partitions now (all are stopped): what the producer has not sent yet is
            // dropped, not flushed, and no ack is applied.
            producer.close(Duration.ZERO);
            batch.forEach(chunk -> chunk.partition().onDone(chunk.records().size(), chunk.bytes()));
            return false;
        }
        producer.flush();
        Map<PartitionState, Throwable> failed = new LinkedHashMap<>();
        Set<PartitionState> advanced = new LinkedHashSet<>();
        // A failed partition's chunks stay in flight until it is handed over below: the status refresh takes a target
        // end past the map, with nothing in flight on a RUNNING partition, for another writer's records.
        List<Chunk> doneAfterHandOver = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int c = 0; c < batch.size(); c++) {
            Chunk chunk = batch.get(c);
            PartitionState ps = chunk.partition();
            try {
                if (c >= abandonedFrom || !live(chunk) || failed.containsKey(ps)
                        || futures.get(c).isEmpty() && !chunk.records().isEmpty()) {
                    continue;
                }
                Throwable error = applyAcks(chunk, futures.get(c), now);
                if (error != null) {
                    failed.put(ps, error);
                } else {
                    advanced.add(ps);
                }
            } finally {
                if (failed.containsKey(ps)) {
                    doneAfterHandOver.add(chunk);
                } else {
                    ps.onDone(chunk.records().size(), chunk.bytes());
                }
            }
        }
        for (PartitionState ps : advanced) {
            trimBelowSourceLogStart(ps.map(), ps.sourceLogStart);
            store.persist(ps.tp, ps.map());
        }
        if (!failed.isEmpty()) {
            anySendFailed = true;
            // Nothing is in flight after the flush: a fresh producer starts clean sequences for every partition.
            producer.close(Duration.ofSeconds(5));
            producer = producers.get();
            failed.forEach(listener::sendFailed);
        }
        doneAfterHandOver.forEach(chunk -> chunk.partition().onDone(chunk.records().size(), chunk.bytes()));
        return abandonedFrom == batch.size();
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

    private Future<RecordMetadata> send(ConsumerRecord<byte[], byte[]> record) {
        Long timestamp = record.timestamp() >= 0 ? record.timestamp() : null;
        try {
            return producer.send(new ProducerRecord<>(record.topic(), record.partition(), timestamp, record.key(),
                    record.value(), record.headers()));
        } catch (KafkaException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Extends the map with one chunk's acks, in order; returns the first error, or null when all were acked. */
    private Throwable applyAcks(Chunk chunk, List<Future<RecordMetadata>> sent, long now) {
        PartitionState ps = chunk.partition();
        OffsetMap map = ps.map();
        ReplicatorMetrics.PartitionMeters m = meters.get(ps);
        List<ConsumerRecord<byte[], byte[]>> records = chunk.records();
        // Only this thread writes the partition and its records land contiguously: each ack must be at the next offset.
        long expected = map.targetPosition();
        for (int i = 0; i < sent.size(); i++, expected++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            RecordMetadata ack;
            try {
                ack = sent.get(i).get(0, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return e;
            } catch (java.util.concurrent.TimeoutException e) {
                return new IllegalStateException("send not complete after flush", e);
            }
            if (ack.offset() != expected) {
                return ForeignWriteException.atAck(ps.tp, expected, ack.offset());
            }
            map.append(record.offset(), ack.offset());
            m.records().increment();
            m.bytes().increment(Chunk.sizeOf(record) - 64);
            if (record.timestamp() >= 0) {
                m.latency().record(Math.max(0, now - record.timestamp()), TimeUnit.MILLISECONDS);
            }
        }
        if (chunk.nextOffset() > map.replicatedPosition()) {
            map.advanceTo(chunk.nextOffset());
        }
        ps.lastAdvanceMillis = now;
        return null;
    }
}

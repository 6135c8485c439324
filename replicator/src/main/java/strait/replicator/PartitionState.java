package strait.replicator;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import strait.offsets.OffsetMap;

/**
 * Everything the threads of the replicator share about one partition. Each field has exactly one writer:
 * <ul>
 *   <li>{@code state}, {@code epoch}, {@code map} (the reference): the admin worker, except that any thread may
 *       {@link #stop} the partition or move it from RUNNING to RECONCILING ({@link #requestReconcile});</li>
 *   <li>the enqueue side of the in-flight accounting ({@link #onEnqueued}): the fetcher thread;</li>
 *   <li>the ack side ({@link #onDone}, {@link #lastAdvanceMillis}) and the map's contents while RUNNING: the sender
 *       thread; while PENDING or RECONCILING the admin worker owns the map (the volatile state write hands it over);</li>
 *   <li>{@code sourceEnd}, {@code targetEnd}, lag: the admin worker's status refresh.</li>
 * </ul>
 * Readers on any thread see the latest volatile values; nothing here takes a lock.
 */
final class PartitionState {

    /** Chunks one partition may have between fetch and ack; also the size of the oldest-timestamp ring. */
    static final int MAX_CHUNKS_IN_FLIGHT = 64;

    final TopicPartition tp;
    private volatile PartitionRunState state = PartitionRunState.PENDING;
    private final AtomicReference<String> stoppedReason = new AtomicReference<>();
    private volatile int epoch;
    private volatile OffsetMap map;

    // In-flight accounting: the fetcher adds, the sender subtracts.
    final AtomicLong bytesInFlight = new AtomicLong();
    final AtomicLong recordsInFlight = new AtomicLong();
    private final long[] firstTimestamps = new long[MAX_CHUNKS_IN_FLIGHT];
    private final AtomicLong enqueuedChunks = new AtomicLong();
    private final AtomicLong doneChunks = new AtomicLong();

    volatile long lastAdvanceMillis = System.currentTimeMillis();
    volatile long sourceEnd = -1;
    /** The source log start offset, read by the admin worker; the map's writer trims the map below it. */
    volatile long sourceLogStart = -1;

    volatile long targetEnd = -1;
    volatile long lagRecords;
    volatile long lagMs;
    volatile long lagSinceMillis;
    /** What the target topic refuses record by record (admin worker writes, sender reads). */
    volatile TargetLimits limits = TargetLimits.NONE;

    /** Records acked per path (sender thread writes). */
    volatile long recordsForwarded;

    volatile long recordsEncoded;

    volatile int reconcileFailures;
    volatile long nextReconcileAtMillis;

    PartitionState(TopicPartition tp) {
        this.tp = tp;
    }

    PartitionRunState state() {
        return state;
    }

    int epoch() {
        return epoch;
    }

    OffsetMap map() {
        return map;
    }

    String stoppedReason() {
        return stoppedReason.get();
    }

    /** Admin worker: starts a new assignment generation; chunks of older generations are dropped by the sender. */
    int nextEpoch() {
        return ++epoch;
    }

    /** Admin worker: the reconciled map is handed to the sender. */
    void running(OffsetMap reconciled) {
        map = reconciled;
        lastAdvanceMillis = System.currentTimeMillis();
        if (state != PartitionRunState.STOPPED) {
            state = PartitionRunState.RUNNING;
        }
    }

    /** Admin worker: reconciliation begins; nothing of this partition is written until {@link #running}. */
    void reconciling() {
        if (state != PartitionRunState.STOPPED) {
            state = PartitionRunState.RECONCILING;
        }
    }

    /** Sender thread: a send failed; the admin worker will reconcile. Returns false when already stopped. */
    boolean requestReconcile() {
        if (state == PartitionRunState.STOPPED) {
            return false;
        }
        state = PartitionRunState.RECONCILING;
        return true;
    }

    /** Any thread: stops the partition for good (until restart). The first reason wins. Returns true on the first stop. */
    boolean stop(String reason) {
        boolean first = stoppedReason.compareAndSet(null, reason);
        state = PartitionRunState.STOPPED;
        return first;
    }

    /** Fetcher thread: a chunk whose first record has {@code firstTimestamp} is now in flight. */
    void onEnqueued(long firstTimestamp, int records, long bytes) {
        long n = enqueuedChunks.get();
        firstTimestamps[(int) (n % MAX_CHUNKS_IN_FLIGHT)] = firstTimestamp;
        bytesInFlight.addAndGet(bytes);
        recordsInFlight.addAndGet(records);
        enqueuedChunks.set(n + 1); // publishes the ring slot written above
    }

    /** Sender thread: a chunk is acked or dropped. */
    void onDone(int records, long bytes) {
        bytesInFlight.addAndGet(-bytes);
        recordsInFlight.addAndGet(-records);
        doneChunks.incrementAndGet();
    }

    long chunksInFlight() {
        return enqueuedChunks.get() - doneChunks.get();
    }

    /**
     * Timestamp of the first record of the oldest chunk fetched but not yet acked, or -1 when nothing is in flight.
     * Any thread; a racing read may see a slightly newer chunk's timestamp, which is harmless for a gauge.
     */
    long oldestInFlightTimestamp() {
        long done = doneChunks.get();
        if (enqueuedChunks.get() <= done) {
            return -1;
        }
        return firstTimestamps[(int) (done % MAX_CHUNKS_IN_FLIGHT)];
    }

    PartitionStatus status() {
        OffsetMap m = map;
        return new PartitionStatus(
                tp.topic(),
                tp.partition(),
                sourceEnd,
                m == null ? -1 : m.replicatedPosition(),
                targetEnd,
                lagRecords,
                lagMs,
                state,
                stoppedReason.get(),
                recordsForwarded,
                recordsEncoded);
    }
}

package strait.offsets;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One source partition's map from source offsets to target offsets, as runs {@code (sourceStart, targetStart,
 * length)}: source records {@code sourceStart .. sourceStart+length-1} are all on the target, in order, at
 * {@code targetStart .. targetStart+length-1}. A new run starts only where the source has a gap (compaction, a
 * transaction marker, an aborted record), so memory grows with gaps, not with records: 24 bytes per run (three
 * {@code long}s in one primitive array, grown by a quarter when full, so at most 30 bytes per run with the slack),
 * plus half a byte per run for a sparse index (every 16th run's sourceStart, which keeps translate's search of a
 * large map inside the CPU caches), plus a fixed ~100 bytes per map.
 *
 * <p>Invariants (hold after every writer call, and in every view a reader sees):
 * <ol>
 *   <li>every run ends above {@code oldestTranslatable} (a trim drops the runs ending at or below it; the first
 *       run may start below it); runs are sorted and never overlap;</li>
 *   <li>for runs {@code i < j}: {@code sourceEnd(i) <= sourceStart(j)} and {@code targetEnd(i) <= targetStart(j)};</li>
 *   <li>{@code replicatedPosition >= sourceEnd(last run)}: every source offset in {@code [oldestTranslatable,
 *       replicatedPosition)} is either inside a run or a source offset with no record to copy;</li>
 *   <li>{@code targetPosition >= targetEnd(last run)}: the target offset the next copied record gets.</li>
 * </ol>
 *
 * <p>Translation of a committed source offset {@code s} (the next record the group reads): the target offset of the
 * first copied record at or after {@code s}; {@code s == replicatedPosition} (or {@code s} in a gap after the last
 * run) gives {@code targetPosition}; {@code s > replicatedPosition} is {@link Translation.NotYetReplicated}; {@code
 * s < oldestTranslatable} is {@link Translation.BelowRetention}.
 *
 * <p>Threads: single writer ({@link #append}, {@link #advanceTo}, {@link #trimBelow}: called only from the
 * partition's ack path), readers on any thread. Readers see a consistent view through a sequence counter (a seqlock):
 * the writer never waits or locks, a reader retries in the rare case it overlapped a write.
 */
public final class OffsetMap {

    /** Fields per run in {@link #runs}: sourceStart, targetStart, length. */
    private static final int STRIDE = 3;
    /** Bytes of state per run. */
    public static final int BYTES_PER_RUN = STRIDE * Long.BYTES;

    private static final int INITIAL_RUNS = 4;
    /** One index entry per this many runs: the index stays small enough for the CPU caches. */
    private static final int BLOCK_SHIFT = 4;

    private static final int BLOCK = 1 << BLOCK_SHIFT;

    private static final VarHandle SEQ;

    static {
        try {
            SEQ = MethodHandles.lookup().findVarHandle(OffsetMap.class, "seq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Even: stable; odd: a write is in progress. Written only by the writer. */
    @SuppressWarnings("unused")
    private volatile long seq;

    // Guarded by seq: written only inside beginWrite/endWrite, read by readers only inside a validated section.
    private long[] runs;
    /** sourceStart of every {@link #BLOCK}-th run: translate searches it first, then one block of runs. */
    private long[] index;

    private int count;
    private long oldestTranslatable;
    private long replicatedPosition;
    private long targetPosition;

    private OffsetMap(long[] runs, int count, long oldestTranslatable, long replicatedPosition, long targetPosition) {
        this.runs = runs;
        this.index = buildIndex(runs, count);
        this.count = count;
        this.oldestTranslatable = oldestTranslatable;
        this.replicatedPosition = replicatedPosition;
        this.targetPosition = targetPosition;
    }

    /** A map with nothing copied yet: the next source offset to copy is {@code sourceStart}, its target offset {@code targetStart}. */
    public static OffsetMap startingAt(long sourceStart, long targetStart) {
        requireNonNegative(sourceStart, "sourceStart");
        requireNonNegative(targetStart, "targetStart");
        return new OffsetMap(new long[INITIAL_RUNS * STRIDE], 0, sourceStart, sourceStart, targetStart);
    }

    /**
     * A map rebuilt from persisted state (see {@link OffsetMapStore}); {@code runs} holds {@code count} runs as
     * consecutive {@code (sourceStart, targetStart, length)} triples, sorted, and is owned by the map from now on.
     *
     * @throws IllegalArgumentException when the runs break an invariant of this class
     */
    static OffsetMap restored(
            long[] runs, int count, long oldestTranslatable, long replicatedPosition, long targetPosition) {
        OffsetMap map = startingAt(oldestTranslatable, 0);
        long sourceEnd = 0;
        long targetEnd = 0;
        for (int i = 0; i < count; i++) {
            long s = runs[i * STRIDE];
            long t = runs[i * STRIDE + 1];
            long len = runs[i * STRIDE + 2];
            if (len <= 0 || s < sourceEnd || t < targetEnd) {
                throw new IllegalArgumentException(
                        "persisted run " + i + " (" + s + ", " + t + ", " + len + ") overlaps or is out of order");
            }
            sourceEnd = s + len;
            targetEnd = t + len;
        }
        if (replicatedPosition < sourceEnd || targetPosition < targetEnd) {
            throw new IllegalArgumentException("persisted position (" + replicatedPosition + ", " + targetPosition
                    + ") is behind the last run's end (" + sourceEnd + ", " + targetEnd + ")");
        }
        map.runs = runs.length >= Math.max(1, count) * STRIDE ? runs : Arrays.copyOf(runs, INITIAL_RUNS * STRIDE);
        map.index = buildIndex(map.runs, count);
        map.count = count;
        map.replicatedPosition = replicatedPosition;
        map.targetPosition = targetPosition;
        VarHandle.releaseFence();
        return map;
    }

    // ---------------------------------------------------------------- writer (the partition's ack path only)

    /**
     * Records one copied record: source offset {@code sourceOffset} is on the target at {@code targetOffset}. Called
     * only from the ack path, in ack order.
     *
     * @throws IllegalArgumentException when either offset is not past what the map already holds
     */
    public void append(long sourceOffset, long targetOffset) {
        long replicated = replicatedPosition;
        long target = targetPosition;
        if (sourceOffset < replicated || targetOffset < target) {
            throw new IllegalArgumentException("offsets must increase: (" + sourceOffset + ", " + targetOffset
                    + ") after position (" + replicated + ", " + target + ")");
        }
        int n = count;
        long[] r = runs;
        beginWrite();
        int last = (n - 1) * STRIDE;
        if (n > 0 && sourceOffset == r[last] + r[last + 2] && targetOffset == r[last + 1] + r[last + 2]) {
            r[last + 2]++;
        } else {
            if ((n + 1) * STRIDE > r.length) {
                r = Arrays.copyOf(r, (n + Math.max(INITIAL_RUNS, n >> 2)) * STRIDE);
                runs = r;
            }
            r[n * STRIDE] = sourceOffset;
            r[n * STRIDE + 1] = targetOffset;
            r[n * STRIDE + 2] = 1;
            if ((n & (BLOCK - 1)) == 0) {
                int block = n >>> BLOCK_SHIFT;
                if (block >= index.length) {
                    index = Arrays.copyOf(index, block + Math.max(INITIAL_RUNS, block >> 2));
                }
                index[block] = sourceOffset;
            }
            count = n + 1;
        }
        replicatedPosition = sourceOffset + 1;
        targetPosition = targetOffset + 1;
        endWrite();
    }

    /**
     * The source moved past offsets with nothing to copy (transaction markers, aborted records, compacted-away
     * offsets) up to, not including, {@code nextSourceOffset}. Called only from the ack path.
     *
     * @throws IllegalArgumentException when {@code nextSourceOffset} is behind the replicated position
     */
    public void advanceTo(long nextSourceOffset) {
        if (nextSourceOffset < replicatedPosition) {
            throw new IllegalArgumentException(
                    "cannot move back from " + replicatedPosition + " to " + nextSourceOffset);
        }
        if (nextSourceOffset == replicatedPosition) {
            return;
        }
        beginWrite();
        replicatedPosition = nextSourceOffset;
        endWrite();
    }

    /**
     * Forgets runs that end at or below the source log start offset; offsets below it translate to {@link
     * Translation.BelowRetention} from now on. Called only from the ack path's thread.
     */
    public void trimBelow(long sourceLogStartOffset) {
        if (sourceLogStartOffset <= oldestTranslatable) {
            return;
        }
        int n = count;
        long[] r = runs;
        int drop = 0;
        while (drop < n && r[drop * STRIDE] + r[drop * STRIDE + 2] <= sourceLogStartOffset) {
            drop++;
        }
        beginWrite();
        if (drop > 0) {
            long[] kept = new long[Math.max(INITIAL_RUNS, n - drop) * STRIDE];
            System.arraycopy(r, drop * STRIDE, kept, 0, (n - drop) * STRIDE);
            runs = kept;
            index = buildIndex(kept, n - drop);
            count = n - drop;
        }
        oldestTranslatable = sourceLogStartOffset;
        endWrite();
    }

    private void beginWrite() {
        long s = (long) SEQ.getOpaque(this);
        SEQ.setOpaque(this, s + 1);
        VarHandle.releaseFence();
    }

    private void endWrite() {
        long s = (long) SEQ.getOpaque(this);
        SEQ.setRelease(this, s + 1);
    }

    // ---------------------------------------------------------------- readers (any thread)

    /** The next source offset not yet on the target. Any thread. */
    public long replicatedPosition() {
        while (true) {
            long s = beginRead();
            long value = replicatedPosition;
            if (validate(s)) {
                return value;
            }
        }
    }

    /** The target offset the next copied record gets. Any thread. */
    public long targetPosition() {
        while (true) {
            long s = beginRead();
            long value = targetPosition;
            if (validate(s)) {
                return value;
            }
        }
    }

    /** The lowest source offset that translates (the map's start, or the last {@link #trimBelow}). Any thread. */
    public long oldestTranslatable() {
        while (true) {
            long s = beginRead();
            long value = oldestTranslatable;
            if (validate(s)) {
                return value;
            }
        }
    }

    /** Number of runs held. Any thread. */
    public int runCount() {
        while (true) {
            long s = beginRead();
            int value = count;
            if (validate(s)) {
                return value;
            }
        }
    }

    /** Bytes of state this map holds now (its run array and fields). Any thread. */
    public long stateBytes() {
        while (true) {
            long s = beginRead();
            long value = 16L + (long) runs.length * Long.BYTES + 16L + (long) index.length * Long.BYTES + 64L;
            if (validate(s)) {
                return value;
            }
        }
    }

    /**
     * Where a group that committed {@code committedSourceOffset} on the source resumes on the target. Any thread.
     *
     * @throws IllegalArgumentException when the offset is negative
     */
    public Translation translate(long committedSourceOffset) {
        requireNonNegative(committedSourceOffset, "committedSourceOffset");
        while (true) {
            long s = beginRead();
            long[] r = runs;
            long[] idx = index;
            int n = count;
            long oldest = oldestTranslatable;
            long replicated = replicatedPosition;
            long target = targetPosition;
            if (n * STRIDE <= r.length && blocks(n) <= idx.length) {
                Translation answer = translate(committedSourceOffset, r, idx, n, oldest, replicated, target);
                if (validate(s)) {
                    return answer;
                }
            }
        }
    }

    private static Translation translate(
            long s, long[] r, long[] idx, int n, long oldest, long replicated, long target) {
        if (s < oldest) {
            return new Translation.BelowRetention(oldest);
        }
        if (s > replicated) {
            return new Translation.NotYetReplicated(replicated);
        }
        int i = lastRunStartingAtOrBefore(r, idx, n, s);
        if (i < 0) {
            return new Translation.Exact(n > 0 ? r[1] : target);
        }
        long delta = s - r[i * STRIDE];
        if (delta < r[i * STRIDE + 2]) {
            return new Translation.Exact(r[i * STRIDE + 1] + delta);
        }
        return new Translation.Exact(i + 1 < n ? r[(i + 1) * STRIDE + 1] : target);
    }

    /** Index of the last run whose sourceStart is {@code <= s}, or -1: the block from the index, then the run. */
    private static int lastRunStartingAtOrBefore(long[] r, long[] idx, int n, long s) {
        int lo = 0;
        int hi = blocks(n) - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (idx[mid] <= s) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (lo == 0) {
            return -1;
        }
        lo = (lo - 1) << BLOCK_SHIFT;
        hi = Math.min(n, lo + BLOCK) - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (r[mid * STRIDE] <= s) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return lo - 1;
    }

    private static int blocks(int runCount) {
        return (runCount + BLOCK - 1) >>> BLOCK_SHIFT;
    }

    private static long[] buildIndex(long[] r, int n) {
        long[] idx = new long[Math.max(INITIAL_RUNS, blocks(n))];
        for (int b = 0; b < blocks(n); b++) {
            idx[b] = r[(b << BLOCK_SHIFT) * STRIDE];
        }
        return idx;
    }

    private long beginRead() {
        while (true) {
            long s = (long) SEQ.getAcquire(this);
            if ((s & 1) == 0) {
                return s;
            }
            Thread.onSpinWait();
        }
    }

    private boolean validate(long s) {
        VarHandle.acquireFence();
        return (long) SEQ.getOpaque(this) == s;
    }

    // ---------------------------------------------------------------- writer-thread views, for OffsetMapStore

    /** A copy of the runs as {@code (sourceStart, targetStart, length)} triples. Any thread. */
    public long[] runsCopy() {
        while (true) {
            long s = beginRead();
            long[] r = runs;
            int n = count;
            if (n * STRIDE <= r.length) {
                long[] copy = Arrays.copyOf(r, n * STRIDE);
                if (validate(s)) {
                    return copy;
                }
            }
        }
    }

    /** Run {@code i}'s field {@code f} (0 sourceStart, 1 targetStart, 2 length). Only on the writer's thread. */
    long runField(int i, int f) {
        return runs[i * STRIDE + f];
    }

    /** Number of runs. Only on the writer's thread. */
    int writerRunCount() {
        return count;
    }

    @Override
    public String toString() {
        return "OffsetMap[runs=" + runCount() + ", oldest=" + oldestTranslatable() + ", replicated="
                + replicatedPosition() + ", target=" + targetPosition() + "]";
    }

    private static void requireNonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0: " + value);
        }
    }
}

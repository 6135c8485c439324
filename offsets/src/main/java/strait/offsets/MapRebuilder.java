package strait.offsets;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Rebuilds one partition's {@link OffsetMap} from the records of the offsets topic, read in log order; the latest
 * record of each key wins, as compaction would keep it. Single thread (the loading thread).
 */
final class MapRebuilder {

    private static final long TOMBSTONE = -1;

    private long[] triples = new long[3 * 16];
    private int size;
    private boolean sorted = true;
    private long[] position;

    /** A run record; {@code length == -1} for a tombstone. */
    void run(long sourceStart, long targetStart, long length) {
        if (size > 0 && sourceStart <= triples[(size - 1) * 3]) {
            if (sourceStart == triples[(size - 1) * 3]) {
                // The usual case: the tail run was extended, or deleted.
                triples[(size - 1) * 3 + 1] = targetStart;
                triples[(size - 1) * 3 + 2] = length;
                return;
            }
            sorted = false;
        }
        if ((size + 1) * 3 > triples.length) {
            triples = Arrays.copyOf(triples, triples.length * 2);
        }
        triples[size * 3] = sourceStart;
        triples[size * 3 + 1] = targetStart;
        triples[size * 3 + 2] = length;
        size++;
    }

    void position(long oldest, long replicated, long target) {
        position = new long[] {oldest, replicated, target};
    }

    private long oldest() {
        if (position != null) {
            return position[0];
        }
        return size > 0 ? triples[0] : 0;
    }

    /** A rebuilt map, and the starts of persisted runs below its oldest offset, which the store should delete. */
    record Rebuilt(OffsetMap map, long[] staleRunStarts) {}

    /**
     * The rebuilt map.
     *
     * @throws IllegalArgumentException when the persisted runs break the map's invariants
     */
    Rebuilt build() {
        if (!sorted) {
            sortKeepingLatest();
        }
        long oldest = oldest();
        long[] runs = new long[Math.max(4, size) * 3];
        int count = 0;
        long sourceEnd = oldest;
        long targetEnd = 0;
        long[] stale = new long[0];
        int staleCount = 0;
        for (int i = 0; i < size; i++) {
            long s = triples[i * 3];
            long t = triples[i * 3 + 1];
            long len = triples[i * 3 + 2];
            if (len == TOMBSTONE) {
                continue;
            }
            if (s + len <= oldest) {
                if (staleCount == stale.length) {
                    stale = Arrays.copyOf(stale, Math.max(8, staleCount * 2));
                }
                stale[staleCount++] = s;
                continue;
            }
            runs[count * 3] = s;
            runs[count * 3 + 1] = t;
            runs[count * 3 + 2] = len;
            count++;
            sourceEnd = s + len;
            targetEnd = t + len;
        }
        long replicated = position == null ? sourceEnd : Math.max(position[1], sourceEnd);
        long target = position == null ? targetEnd : Math.max(position[2], targetEnd);
        return new Rebuilt(
                OffsetMap.restored(runs, count, oldest, replicated, target), Arrays.copyOf(stale, staleCount));
    }

    /** Rare path (a full re-send after a failed send): sort by sourceStart, keeping the latest record of each key. */
    private void sortKeepingLatest() {
        Integer[] order = IntStream.range(0, size).boxed().toArray(Integer[]::new);
        Arrays.sort(
                order, Comparator.<Integer>comparingLong(i -> triples[i * 3]).thenComparingInt(i -> i));
        long[] out = new long[size * 3];
        int n = 0;
        for (int k = 0; k < size; k++) {
            int i = order[k];
            if (n > 0 && out[(n - 1) * 3] == triples[i * 3]) {
                n--; // a later record of the same key replaces the earlier one
            }
            System.arraycopy(triples, i * 3, out, n * 3, 3);
            n++;
        }
        triples = out;
        size = n;
        sorted = true;
    }
}

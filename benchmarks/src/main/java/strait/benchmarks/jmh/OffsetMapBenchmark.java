package strait.benchmarks.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import strait.offsets.OffsetMap;
import strait.offsets.Translation;

/**
 * {@link OffsetMap}: {@code translate} (any thread, the HTTP and group paths) over maps of 1k and 1M runs at random
 * committed offsets, and {@code append} (the ack path) with a gap every {@code gapEvery} records, i.e. a new run every
 * {@code gapEvery} appends. {@code append} prints the map's retained state per run after each iteration.
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OffsetMapBenchmark {

    /** A map of {@code runs} runs (every other source offset a gap) and random committed offsets to translate. */
    @State(Scope.Benchmark)
    public static class Translate {
        @Param({"1000", "1000000"})
        public int runs;

        OffsetMap map;
        long[] queries;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            map = OffsetMap.startingAt(0, 0);
            for (long i = 0; i < runs; i++) {
                map.append(2 * i, i);
            }
            SplittableRandom random = new SplittableRandom(1);
            queries = new long[1 << 16];
            for (int i = 0; i < queries.length; i++) {
                queries[i] = random.nextLong(2L * runs);
            }
        }
    }

    @Benchmark
    public Translation translate(Translate state) {
        long s = state.queries[state.next++ & (state.queries.length - 1)];
        return state.map.translate(s);
    }

    /** A map fed by one writer; replaced by a fresh one every 4M runs so the heap stays bounded. */
    @State(Scope.Thread)
    public static class Append {
        @Param({"1", "100"})
        public int gapEvery;

        OffsetMap map;
        long source;
        long target;

        @Setup(Level.Iteration)
        public void setUp() {
            map = OffsetMap.startingAt(0, 0);
            source = 0;
            target = 0;
        }

        /** Printed into JMH's iteration output: the retained state per run of the map as it ended. */
        @TearDown(Level.Iteration)
        public void measure() {
            System.out.printf(
                    "(bytes per run: %.2f over %d runs) ", (double) map.stateBytes() / map.runCount(), map.runCount());
        }
    }

    @Benchmark
    public void append(Append state) {
        if (state.target % state.gapEvery == 0) {
            state.source++; // one source offset with nothing to copy: the next record starts a run
            if (state.map.runCount() >= 4_000_000) {
                state.map = OffsetMap.startingAt(state.source, state.target);
            }
        }
        state.map.append(state.source++, state.target++);
    }
}

package strait.benchmarks.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The fetch→send hand-off of the replicator: one fetcher thread offers chunks into a bounded queue, one sender thread
 * drains whatever is there up to a batch limit (smart batching), as {@code strait.replicator.PartitionFetcher} and
 * {@code BatchingSender} do through a JCTools {@link SpscArrayQueue} with {@code relaxedOffer}/{@code relaxedPoll}.
 * The JDK's {@link ArrayBlockingQueue} ({@code offer}/{@code drainTo}) is the baseline.
 *
 * <p>Read the {@code handed} counter (chunks that crossed, per second); {@code offerFull} and {@code pollEmpty} count
 * the spins on a full or empty queue.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class QueueHandOffBenchmark {

    /** Stand-in for {@code strait.replicator.Chunk}: a small immutable object holding a reference. */
    record Chunk(int partition, long nextOffset, Object records) {}

    @Param({"jctools-spsc", "jdk-array-blocking"})
    public String queue;

    @Param({"4096"})
    public int capacity;

    @Param({"4096"})
    public int drainLimit;

    private SpscArrayQueue<Chunk> spsc;
    private ArrayBlockingQueue<Chunk> blocking;
    private final Chunk chunk = new Chunk(3, 42, new Object());

    @Setup(Level.Iteration)
    public void setUp() {
        spsc = new SpscArrayQueue<>(capacity);
        blocking = new ArrayBlockingQueue<>(capacity);
    }

    /** Per-thread counters, reported by JMH as rates. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counters {
        public long handed;
        public long offerFull;
        public long pollEmpty;
        final List<Chunk> drained = new ArrayList<>(4096);

        @Setup(Level.Iteration)
        public void reset() {
            handed = 0;
            offerFull = 0;
            pollEmpty = 0;
        }
    }

    /** The fetcher: offers one chunk; on a full queue spins once and returns. */
    @Benchmark
    @Group("handOff")
    @GroupThreads(1)
    public void fetcher(Counters counters) {
        boolean offered = "jctools-spsc".equals(queue) ? spsc.relaxedOffer(chunk) : blocking.offer(chunk);
        if (!offered) {
            counters.offerFull++;
            Thread.onSpinWait();
        }
    }

    /** The sender: drains what is there, up to the limit, and hands it on. */
    @Benchmark
    @Group("handOff")
    @GroupThreads(1)
    public void sender(Counters counters, Blackhole bh) {
        int n;
        if ("jctools-spsc".equals(queue)) {
            n = 0;
            Chunk c;
            while (n < drainLimit && (c = spsc.relaxedPoll()) != null) {
                bh.consume(c);
                n++;
            }
        } else {
            List<Chunk> drained = counters.drained;
            n = blocking.drainTo(drained, drainLimit);
            for (int i = 0; i < n; i++) {
                bh.consume(drained.get(i));
            }
            drained.clear();
        }
        if (n == 0) {
            counters.pollEmpty++;
            Thread.onSpinWait();
        }
        counters.handed += n;
    }
}

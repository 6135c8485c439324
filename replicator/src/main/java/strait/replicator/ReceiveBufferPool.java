package strait.replicator;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.memory.MemoryPool;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * The byte path's receive buffers, recycled: every fetched byte used to land in a fresh heap buffer as large as the
 * fetch response, most of them humongous G1 allocations that forced a collection each (benchmarks/README.md, the byte
 * path's profile). The fetcher's network client allocates its responses here ({@link MemoryPool}); once every chunk
 * cut from a response is written ({@link ResponseBuffer}), its array comes back through {@link #giveBack} and serves
 * a later response of about its size. Small responses (below {@value #MIN_POOLED} bytes) are plain allocations.
 *
 * <p>Invariant: an array is handed out to at most one response at a time; it returns only when nothing reads it any
 * more (the refcount of {@link ResponseBuffer} says so), and is otherwise simply dropped to the garbage collector —
 * an array that never comes back costs a reuse, never correctness. At most {@link #maxIdleBytes} wait idle.
 *
 * <p>Threads: {@link #tryAllocate}, {@link #release} and the idle arrays belong to the fetch thread (the network
 * client's); {@link #giveBack} is called by the sender thread and only enqueues (a JCTools MPSC queue) for the fetch
 * thread to take at its next allocation.
 */
final class ReceiveBufferPool implements MemoryPool {

    static final int MIN_POOLED = 256 * 1024;

    private final long maxIdleBytes;
    private final MessagePassingQueue<byte[]> returned = new MpscUnboundedArrayQueue<>(64);
    /** Idle arrays by length; fetch thread. */
    private final TreeMap<Integer, ArrayDeque<byte[]>> idle = new TreeMap<>();

    private long idleBytes;
    /** Responses served from a recycled array and from a new one; read by metrics from any thread. */
    final AtomicLong reused = new AtomicLong();

    final AtomicLong allocated = new AtomicLong();

    ReceiveBufferPool(long maxIdleBytes) {
        this.maxIdleBytes = maxIdleBytes;
    }

    @Override
    public ByteBuffer tryAllocate(int size) {
        if (size < MIN_POOLED) {
            return ByteBuffer.allocate(size);
        }
        takeReturned();
        // An idle array at most a quarter larger than needed, else a new one rounded up to an eighth of its
        // highest bit, so the lengths cluster and later responses of about this size find it.
        Map.Entry<Integer, ArrayDeque<byte[]>> fit = idle.ceilingEntry(size);
        byte[] array = null;
        if (fit != null && fit.getKey() <= size + size / 4) {
            array = fit.getValue().poll();
            if (fit.getValue().isEmpty()) {
                idle.remove(fit.getKey());
            }
            idleBytes -= array.length;
            reused.incrementAndGet();
        }
        if (array == null) {
            int step = Integer.highestOneBit(size) / 8;
            long rounded = ((long) size + step - 1) / step * step;
            array = new byte[(int) Math.min(Integer.MAX_VALUE - 8, rounded)];
            allocated.incrementAndGet();
        }
        return ByteBuffer.wrap(array, 0, size).slice();
    }

    /** A receive the network client abandoned (its connection closed mid-response): nothing else holds it. */
    @Override
    public void release(ByteBuffer buffer) {
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.array().length >= MIN_POOLED) {
            keep(buffer.array());
        }
    }

    /** An array nothing reads any more, from any thread. */
    void giveBack(byte[] array) {
        returned.relaxedOffer(array);
    }

    private void takeReturned() {
        byte[] array;
        while ((array = returned.relaxedPoll()) != null) {
            keep(array);
        }
    }

    private void keep(byte[] array) {
        if (array.length < MIN_POOLED || idleBytes + array.length > maxIdleBytes) {
            return;
        }
        idle.computeIfAbsent(array.length, l -> new ArrayDeque<>()).add(array);
        idleBytes += array.length;
    }

    @Override
    public long size() {
        return Long.MAX_VALUE;
    }

    @Override
    public long availableMemory() {
        return Long.MAX_VALUE;
    }

    @Override
    public boolean isOutOfMemory() {
        return false;
    }
}

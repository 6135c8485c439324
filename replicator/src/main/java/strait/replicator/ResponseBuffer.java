package strait.replicator;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The array one fetch response was received into, shared by the chunks cut from it: each chunk holds a reference
 * until the sender is done with it (written and acked, or dropped), the fetcher one while it cuts; the last release
 * gives the array back to its {@link ReceiveBufferPool}. Releasing only then is what makes reuse safe: the sender
 * writes a round and waits for its answers (or closes the connection) before it is done with a chunk, so no request
 * still reads the bytes.
 *
 * <p>Threads: retained by the fetch thread, released by the fetch thread and the sender thread (an atomic count).
 */
final class ResponseBuffer {

    private final byte[] array;
    private final ReceiveBufferPool pool;
    private final AtomicInteger references = new AtomicInteger(1);

    /** Holds the fetcher's reference. */
    ResponseBuffer(byte[] array, ReceiveBufferPool pool) {
        this.array = array;
        this.pool = pool;
    }

    ResponseBuffer retain() {
        references.incrementAndGet();
        return this;
    }

    void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            pool.giveBack(array);
        } else if (left < 0) {
            throw new IllegalStateException("a fetch response's buffer was released more often than retained");
        }
    }
}

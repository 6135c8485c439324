package strait.replicator;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link TailReconciler#boundedReader} of one partition, built and connected to the partition's leader on a thread
 * of its own while the starting thread does something else (the fence's {@code initTransactions}), so that reading
 * the partition afterwards costs its fetches only. Connecting asks for the partition's log start offset, which reads
 * nothing the fence protects; what it answers is not used.
 *
 * <p>Threads: the warm-up thread ({@code strait-warm-reader}) owns the consumer until it ends; then {@link #take}'s
 * caller does, or, after {@link #release}, whichever of the two comes last closes it.
 */
final class WarmedReader {

    private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(5);

    private final Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaException failure;
    /** Under {@code this}: the warm-up ended; nobody wants the consumer any more. */
    private boolean warmed;

    private boolean released;

    private WarmedReader(Map<String, Object> clientProps, String isolation, String clientId, TopicPartition tp) {
        this.thread = new Thread(() -> warmUp(clientProps, isolation, clientId, tp), "strait-warm-reader");
        thread.setDaemon(true);
    }

    /** Starts building and connecting the reader of {@code tp}. */
    static WarmedReader start(Map<String, Object> clientProps, String isolation, String clientId, TopicPartition tp) {
        WarmedReader reader = new WarmedReader(clientProps, isolation, clientId, tp);
        reader.thread.start();
        return reader;
    }

    private void warmUp(Map<String, Object> clientProps, String isolation, String clientId, TopicPartition tp) {
        KafkaConsumer<byte[], byte[]> c = null;
        KafkaException error = null;
        try {
            c = TailReconciler.boundedReader(clientProps, isolation, clientId);
            c.assign(List.of(tp));
            c.beginningOffsets(List.of(tp), WARM_UP_TIMEOUT);
        } catch (KafkaException e) {
            error = c == null ? e : null; // a consumer that exists is still usable: its reads will retry or fail
        }
        boolean close;
        synchronized (this) {
            consumer = c;
            failure = error;
            warmed = true;
            close = released;
        }
        if (close && c != null) {
            c.close(Duration.ZERO);
        }
    }

    /**
     * The reader, its warm-up ended; the caller owns it from here (and closes it).
     *
     * @throws KafkaException when the consumer could not be built
     */
    KafkaConsumer<byte[], byte[]> take() throws InterruptedException {
        thread.join();
        synchronized (this) {
            if (failure != null) {
                throw failure;
            }
            return consumer;
        }
    }

    /** Not needed after all: closed now if the warm-up ended, else by the warm-up thread as it ends. Never blocks. */
    void release() {
        KafkaConsumer<byte[], byte[]> close;
        synchronized (this) {
            released = true;
            close = warmed ? consumer : null;
        }
        if (close != null) {
            close.close(Duration.ZERO);
        }
    }
}

package strait.replicator;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Something else wrote to a target partition this link owns: an older instance of the link that missed its fence,
 * or an application producing to the target too early. This link's writes land contiguously, so a record of its own
 * acked past its next offset, or a target end past it with nothing of its own in flight, is proof; the partition
 * stops rather than interleave with the other writer.
 */
final class ForeignWriteException extends KafkaException {
    private static final long serialVersionUID = 1L;

    private ForeignWriteException(String message) {
        super(message);
    }

    /** The sender: one of this link's records was acked at {@code acked} instead of {@code expected}. */
    static ForeignWriteException atAck(TopicPartition tp, long expected, long acked) {
        String found = "target " + tp + " acked this link's record at offset " + acked
                + " but the link's next offset was " + expected;
        return new ForeignWriteException(
                acked < expected
                        ? found
                                + ": the target partition lost records this link wrote (recreated, or an unclean leader "
                                + "election) and may hold other records there now"
                        : found + wroteBy(expected, acked));
    }

    /** The status refresh: the target ends at {@code end} while this link, with nothing in flight, is at {@code next}. */
    static ForeignWriteException atEnd(TopicPartition tp, long next, long end) {
        return new ForeignWriteException("target " + tp + " ends at offset " + end + " but this link, with nothing in "
                + "flight, has written up to offset " + next + wroteBy(next, end));
    }

    /**
     * The sender: the leader refused the link's writer at {@code next} {@code times} times, with reconciliation in
     * between that found nothing new to pair: a producer other than the link's writer wrote last.
     */
    static ForeignWriteException refusedSequence(TopicPartition tp, long next, int times, Throwable refusal) {
        return new ForeignWriteException("target " + tp + " refused this link's writer at offset " + next + " " + times
                + " times, with nothing new to reconcile in between (" + Failures.describe(refusal) + "): another "
                + "producer wrote the partition after this link's writer (an instance of an older Strait version?)");
    }

    private static String wroteBy(long from, long to) {
        return ": offsets " + from + ".." + (to - 1) + " were written by another producer (an older instance of this "
                + "link, or an application writing to the target)";
    }
}

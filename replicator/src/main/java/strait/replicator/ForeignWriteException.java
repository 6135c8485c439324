package strait.replicator;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * The target acked one of this link's records at another offset than the next one the link expected: something else
 * wrote to the target partition in between (an older instance of the link that missed its fence, or an application
 * producing to the target too early). This link's writes land contiguously, so the gap is proof; the partition stops
 * rather than interleave with the other writer.
 */
final class ForeignWriteException extends KafkaException {
    private static final long serialVersionUID = 1L;

    ForeignWriteException(TopicPartition tp, long expected, long acked) {
        super("target " + tp + " acked this link's record at offset " + acked + " but the link's next offset was "
                + expected + ": offsets " + expected + ".." + (acked - 1) + " were written by another producer (an "
                + "older instance of this link, or an application writing to the target)");
    }
}

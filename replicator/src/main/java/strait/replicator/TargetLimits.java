package strait.replicator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTimestampException;

/**
 * What a target topic refuses: a batch over {@code max.message.bytes}, a record without a key when the topic is
 * compacted, a timestamp outside {@code message.timestamp.before.max.ms} / {@code .after.max.ms} of the broker's
 * clock. The sender checks each record before sending it and keeps its batches within the size, so that a record the
 * target would refuse stops its partition with the reason before anything after it is sent. Immutable; read by the
 * sender thread.
 *
 * @param maxBatchBytes the topic's {@code max.message.bytes}, or -1 when it could not be read
 * @param compacted whether {@code cleanup.policy} includes {@code compact}
 * @param timestampBeforeMaxMs how far a record's timestamp may lie behind the broker's clock
 * @param timestampAfterMaxMs how far a record's timestamp may lie ahead of the broker's clock
 */
record TargetLimits(int maxBatchBytes, boolean compacted, long timestampBeforeMaxMs, long timestampAfterMaxMs) {

    /** Nothing known: only what every topic refuses is checked (nothing). */
    static final TargetLimits NONE = new TargetLimits(-1, false, Long.MAX_VALUE, Long.MAX_VALUE);

    /**
     * How close to the timestamp bounds a record is already refused: covers the time until the broker appends it
     * (a batch may take up to the producer's delivery timeout) and clock differences between Strait and the broker.
     */
    static final long TIMESTAMP_MARGIN_MS = 150_000;

    /**
     * Whether the target might refuse a record of the forwarded batch: its records must then be checked one by one.
     * Only a compacted topic (keys) or a bound on old timestamps needs them; a bound on future timestamps is checked
     * on the batch's largest timestamp.
     */
    boolean mayRefuse(SourceBatch.Forward batch, long nowMs) {
        if (compacted || timestampBeforeMaxMs != Long.MAX_VALUE) {
            return true;
        }
        return timestampAfterMaxMs != Long.MAX_VALUE
                && BatchHeader.maxTimestamp(batch.buffer(), batch.at())
                        > nowMs + timestampAfterMaxMs - TIMESTAMP_MARGIN_MS;
    }

    /**
     * Why the target would refuse {@code record} for its key or timestamp, or null when it accepts it; {@code nowMs}
     * is this machine's clock. Sizes are checked on the built batch.
     */
    KafkaException refusal(ConsumerRecord<byte[], byte[]> record, long nowMs) {
        if (compacted && record.key() == null) {
            return new InvalidRecordException("source record at offset " + record.offset() + " has no key; the "
                    + "target topic is compacted and refuses records without a key");
        }
        long ts = record.timestamp();
        if (ts >= 0) {
            if (timestampBeforeMaxMs != Long.MAX_VALUE && ts < nowMs - timestampBeforeMaxMs + TIMESTAMP_MARGIN_MS) {
                return new InvalidTimestampException("source record at offset " + record.offset() + " has timestamp "
                        + ts + ", older than the target topic's message.timestamp.before.max.ms ("
                        + timestampBeforeMaxMs + ") allows, or within " + TIMESTAMP_MARGIN_MS / 1000 + " s of it");
            }
            if (timestampAfterMaxMs != Long.MAX_VALUE && ts > nowMs + timestampAfterMaxMs - TIMESTAMP_MARGIN_MS) {
                return new InvalidTimestampException("source record at offset " + record.offset() + " has timestamp "
                        + ts + ", further ahead of the clock than the target topic's message.timestamp.after.max.ms ("
                        + timestampAfterMaxMs + ") allows, or within " + TIMESTAMP_MARGIN_MS / 1000 + " s of it");
            }
        }
        return null;
    }
}

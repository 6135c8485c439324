package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Reconciliation pairs a source and a target record only when they are the same record. */
class RecordComparisonTest {

    private static ConsumerRecord<byte[], byte[]> record(
            long offset, byte[] key, byte[] value, long timestamp, RecordHeaders headers) {
        return new ConsumerRecord<>(
                "t", 0, offset, timestamp, TimestampType.CREATE_TIME, 0, 0, key, value, headers, Optional.empty());
    }

    private static RecordHeaders headers(String... keyValues) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < keyValues.length; i += 2) {
            h.add(keyValues[i], keyValues[i + 1] == null ? null : keyValues[i + 1].getBytes());
        }
        return h;
    }

    @Test
    void theSameRecordAtDifferentOffsetsMatches() {
        assertThat(TailReconciler.difference(
                        record(7, null, new byte[0], 5, headers("a", null, "a", "x")),
                        record(3, null, new byte[0], 5, headers("a", null, "a", "x"))))
                .isNull();
    }

    @Test
    void nullAndEmptyAreDifferent() {
        assertThat(TailReconciler.difference(
                        record(0, null, null, 5, headers()), record(0, new byte[0], null, 5, headers())))
                .isEqualTo("key differs");
        assertThat(TailReconciler.difference(
                        record(0, null, null, 5, headers()), record(0, null, new byte[0], 5, headers())))
                .isEqualTo("value differs");
    }

    @Test
    void timestampsAndHeaderOrderMatter() {
        assertThat(TailReconciler.difference(record(0, null, null, 5, headers()), record(0, null, null, 6, headers())))
                .startsWith("timestamp differs");
        assertThat(TailReconciler.difference(
                        record(0, null, null, 5, headers("a", "1", "b", "2")),
                        record(0, null, null, 5, headers("b", "2", "a", "1"))))
                .isEqualTo("headers differ");
        assertThat(TailReconciler.difference(
                        record(0, null, null, 5, headers("a", "1")),
                        record(0, null, null, 5, headers("a", "1", "a", "1"))))
                .isEqualTo("header count differs");
        assertThat(TailReconciler.difference(
                        record(0, null, null, 5, headers("a", null)), record(0, null, null, 5, headers("a", ""))))
                .isEqualTo("headers differ");
    }
}

package strait.gates.checks;

import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Compares a source record with the target's record at its mapped offset: key, value, headers, timestamp. */
final class RecordPair {

    private RecordPair() {}

    /** What differs, the first field found; empty when they are the same record. */
    static Optional<String> difference(ConsumerRecord<byte[], byte[]> source, ConsumerRecord<byte[], byte[]> target) {
        if (!Arrays.equals(source.key(), target.key())) {
            return Optional.of("key differs");
        }
        if (!Arrays.equals(source.value(), target.value())) {
            return Optional.of("value differs");
        }
        Header[] a = source.headers().toArray();
        Header[] b = target.headers().toArray();
        if (a.length != b.length) {
            return Optional.of("headers differ (" + a.length + " on the source, " + b.length + " on the target)");
        }
        for (int i = 0; i < a.length; i++) {
            if (!a[i].key().equals(b[i].key()) || !Arrays.equals(a[i].value(), b[i].value())) {
                return Optional.of("headers differ (header " + i + ", " + a[i].key() + ")");
            }
        }
        if (source.timestamp() != target.timestamp()) {
            return Optional.of(
                    "timestamp differs (" + source.timestamp() + " on the source, " + target.timestamp() + ")");
        }
        return Optional.empty();
    }
}

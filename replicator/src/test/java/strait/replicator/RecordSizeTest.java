package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The size check uses exactly the batch size Kafka itself writes (Kafka's internal classes are the oracle here). */
class RecordSizeTest {

    @ParameterizedTest(name = "key {0} B, value {1} B, {2} headers")
    @CsvSource({"-1,-1,0", "0,0,0", "3,100,0", "-1,5000,2", "64,200,5", "200,20000,1", "1,1,40"})
    void singleRecordBatchSizeEqualsWhatKafkaWrites(int keyLength, int valueLength, int headerCount) {
        byte[] key = keyLength < 0 ? null : new byte[keyLength];
        byte[] value = valueLength < 0 ? null : new byte[valueLength];
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < headerCount; i++) {
            headers.add(new RecordHeader("header-ü-" + i, i % 3 == 0 ? null : new byte[i * 7]));
        }
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("t", 0, 42L, 1_700_000_000_000L,
                TimestampType.CREATE_TIME, 0, 0, key, value, headers, Optional.empty());

        int kafka = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(1_700_000_000_000L, key, value, headers.toArray())).sizeInBytes();

        assertThat(RecordSize.singleRecordBatch(record)).isEqualTo(kafka);
    }
}

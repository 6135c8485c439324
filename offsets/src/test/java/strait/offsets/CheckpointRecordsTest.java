package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.junit.jupiter.api.Test;

class CheckpointRecordsTest {

    @Test
    void writesRecordsThatMirrorMakersOwnDeserializerReads() {
        // given
        TopicPartition tp = new TopicPartition("orders-é", 7);
        byte[] key = CheckpointRecords.key("billing", tp);
        byte[] value = CheckpointRecords.value(1234, 987, "meta");
        // when
        Checkpoint checkpoint =
                Checkpoint.deserializeRecord(new ConsumerRecord<>("strait.checkpoints.internal", 0, 0, key, value));
        // then
        assertThat(checkpoint).isEqualTo(new Checkpoint("billing", tp, 1234, 987, "meta"));
    }

    @Test
    void writesEmptyMetadataForNone() {
        Checkpoint checkpoint = Checkpoint.deserializeRecord(new ConsumerRecord<>(
                "t",
                0,
                0,
                CheckpointRecords.key("g", new TopicPartition("t", 0)),
                CheckpointRecords.value(1, 2, null)));
        assertThat(checkpoint.offsetAndMetadata().metadata()).isEmpty();
        assertThat(checkpoint.offsetAndMetadata().offset()).isEqualTo(2);
    }
}

package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetMapsTest {

    @Test
    void translatesUnknownPartitionAsUnknown() {
        OffsetMaps maps = new OffsetMaps();
        assertThat(maps.translate(new TopicPartition("t", 0), 5)).isEqualTo(new Translation.UnknownPartition());
        assertThat(maps.get(new TopicPartition("t", 0))).isEmpty();
    }

    @Test
    void translatesThroughTheRegisteredMap() {
        // given
        OffsetMaps maps = new OffsetMaps();
        OffsetMap map = OffsetMap.startingAt(0, 100);
        map.append(0, 100);
        maps.put(new TopicPartition("t", 1), map);
        // then
        assertThat(maps.translate(new TopicPartition("t", 1), 1)).isEqualTo(new Translation.Exact(101));
        assertThat(maps.snapshot()).containsOnlyKeys(new TopicPartition("t", 1));
    }
}

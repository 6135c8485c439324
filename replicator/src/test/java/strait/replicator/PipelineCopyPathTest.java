package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PipelineCopyPathTest {

    @Test
    void aTopicsPartitionsTakeThePipelinesInTurn() {
        for (int pipelines = 1; pipelines <= 8; pipelines++) {
            int count = pipelines;
            int[] load = new int[count];
            IntStream.range(0, 8 * count)
                    .forEach(p -> load[PipelineCopyPath.pipelineIndex(new TopicPartition("orders", p), count)]++);
            assertThat(load).as("partitions per pipeline of %d", count).containsOnly(8);
        }
    }
}

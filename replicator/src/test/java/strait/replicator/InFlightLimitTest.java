package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {

    private final InFlightLimit limit = new InFlightLimit(1_000);
    private final PartitionState ps = new PartitionState(new TopicPartition("orders", 0));

    @Test
    void anEmptyPartitionIsNeitherFullNorHeldBack() {
        assertThat(limit.full(ps)).isFalse();
        assertThat(limit.drained(ps)).isTrue();
    }

    @Test
    void pausesOnceItsChunksHoldMoreThanTheByteLimit() {
        ps.onEnqueued(0, 10, 1_000);
        assertThat(limit.full(ps)).as("exactly at the limit").isFalse();

        ps.onEnqueued(0, 1, 1);

        assertThat(limit.full(ps)).isTrue();
    }

    @Test
    void pausesBeforeTheChunkRingFillsEvenWithFewBytes() {
        for (int i = 0; i < PartitionState.MAX_CHUNKS_IN_FLIGHT - 2; i++) {
            ps.onEnqueued(0, 1, 1);
        }
        assertThat(limit.full(ps)).isFalse();

        ps.onEnqueued(0, 1, 1);

        assertThat(ps.chunksInFlight()).isEqualTo(PartitionState.MAX_CHUNKS_IN_FLIGHT - 1);
        assertThat(limit.full(ps)).isTrue();
    }

    @Test
    void staysPausedUntilTheBytesHaveDrainedToHalf() {
        ps.onEnqueued(0, 1, 400);
        ps.onEnqueued(0, 1, 400);
        ps.onEnqueued(0, 1, 300);
        assertThat(limit.full(ps)).isTrue();

        ps.onDone(1, 400);
        assertThat(limit.full(ps)).as("700 bytes: below the limit").isFalse();
        assertThat(limit.drained(ps)).as("but above half of it").isFalse();

        ps.onDone(1, 300);

        assertThat(limit.drained(ps)).as("400 bytes").isTrue();
    }

    @Test
    void staysPausedUntilTheChunksHaveDrainedToHalfTheRing() {
        int full = PartitionState.MAX_CHUNKS_IN_FLIGHT - 1;
        for (int i = 0; i < full; i++) {
            ps.onEnqueued(0, 1, 1);
        }
        for (int i = 0; i < full - PartitionState.MAX_CHUNKS_IN_FLIGHT / 2 - 1; i++) {
            ps.onDone(1, 1);
        }
        assertThat(ps.chunksInFlight()).isEqualTo(PartitionState.MAX_CHUNKS_IN_FLIGHT / 2 + 1);
        assertThat(limit.drained(ps)).isFalse();

        ps.onDone(1, 1);

        assertThat(limit.drained(ps)).isTrue();
    }
}

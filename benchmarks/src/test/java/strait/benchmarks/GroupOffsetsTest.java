package strait.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupOffsetsTest {

    @Test
    void aTranslationBelowTheExactOffsetReReadsTheRecordsInBetween() {
        assertThat(GroupOffsets.Error.of(900, 1000)).isEqualTo(new GroupOffsets.Error(100, 0));
    }

    @Test
    void aTranslationAboveTheExactOffsetSkipsTheRecordsInBetween() {
        assertThat(GroupOffsets.Error.of(1003, 1000)).isEqualTo(new GroupOffsets.Error(0, 3));
    }

    @Test
    void theExactTranslationReReadsAndSkipsNothing() {
        assertThat(GroupOffsets.Error.of(1000, 1000)).isEqualTo(GroupOffsets.Error.NONE);
    }

    @Test
    void errorsAddUpOverPartitions() {
        GroupOffsets.Error sum =
                GroupOffsets.Error.of(0, 10).plus(GroupOffsets.Error.of(25, 20)).plus(GroupOffsets.Error.of(7, 7));

        assertThat(sum).isEqualTo(new GroupOffsets.Error(10, 5));
    }

    @Test
    void groupPositionsLieStrictlyInsideEachPartitionAndGrowWithTheGroupIndex() {
        Map<Integer, Long> ends = Map.of(0, 10_000L, 1, 12_000L, 2, 1L);

        Map<Integer, Long> first = GroupOffsets.positions(0, 3, ends, 1);
        Map<Integer, Long> last = GroupOffsets.positions(2, 3, ends, 1);

        assertThat(first.get(0)).isBetween(1L, 9_999L);
        assertThat(last.get(1)).isBetween(1L, 11_999L);
        assertThat(first.get(0)).isLessThan(last.get(0));
        assertThat(first.get(2)).isZero();
        assertThat(GroupOffsets.positions(0, 3, ends, 1)).isEqualTo(first);
    }

    @Test
    void aGroupIsExactOnlyWithNothingReReadSkippedMissingOrUnverified() {
        assertThat(new GroupOffsets.GroupResult("g", 0, 0, 0, 0).exact()).isTrue();
        assertThat(new GroupOffsets.GroupResult("g", 0, 0, 1, 0).exact()).isFalse();
    }
}

package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MapRebuilderTest {

    @Test
    void keepsTheLatestRecordOfAnExtendedTailRun() {
        // given the tail run persisted three times as it grew, then a new run
        MapRebuilder builder = new MapRebuilder();
        builder.run(0, 0, 1);
        builder.run(0, 0, 3);
        builder.run(0, 0, 5);
        builder.run(8, 5, 2);
        builder.position(0, 11, 7);
        // when
        OffsetMap map = builder.build().map();
        // then
        assertThat(map.runsCopy()).containsExactly(0, 0, 5, 8, 5, 2);
        assertThat(map.replicatedPosition()).isEqualTo(11);
        assertThat(map.translate(5)).isEqualTo(new Translation.Exact(5));
        assertThat(map.translate(11)).isEqualTo(new Translation.Exact(7));
    }

    @Test
    void rebuildsFromAFullResendReadAfterTheOriginalRecords() {
        // given runs, then the whole map sent again with a longer tail
        MapRebuilder builder = new MapRebuilder();
        builder.run(0, 0, 2);
        builder.run(5, 2, 1);
        builder.run(0, 0, 2);
        builder.run(5, 2, 4);
        // when
        OffsetMap map = builder.build().map();
        // then
        assertThat(map.runsCopy()).containsExactly(0, 0, 2, 5, 2, 4);
        assertThat(map.replicatedPosition()).isEqualTo(9);
        assertThat(map.targetPosition()).isEqualTo(6);
    }

    @Test
    void dropsRunsBelowOldestAndReportsThemForDeletion() {
        // given
        MapRebuilder builder = new MapRebuilder();
        builder.run(0, 0, 2);
        builder.run(4, 2, 2);
        builder.run(9, 4, 1);
        builder.position(6, 10, 5);
        // when
        MapRebuilder.Rebuilt rebuilt = builder.build();
        // then
        assertThat(rebuilt.staleRunStarts()).containsExactly(0, 4);
        assertThat(rebuilt.map().runsCopy()).containsExactly(9, 4, 1);
        assertThat(rebuilt.map().translate(5)).isEqualTo(new Translation.BelowRetention(6));
        assertThat(rebuilt.map().translate(6)).isEqualTo(new Translation.Exact(4));
    }

    @Test
    void ignoresDeletedRuns() {
        MapRebuilder builder = new MapRebuilder();
        builder.run(0, 0, 2);
        builder.run(0, 0, -1);
        builder.run(3, 2, 1);
        builder.position(3, 4, 3);
        assertThat(builder.build().map().runsCopy()).containsExactly(3, 2, 1);
    }
}

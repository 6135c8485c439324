package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OffsetMapTest {

    @Test
    void translatesEveryOffsetOfOneContiguousRunToItsOwnRecord() {
        // given
        OffsetMap map = OffsetMap.startingAt(100, 0);
        for (long s = 100; s < 110; s++) {
            map.append(s, s - 100);
        }
        // then
        assertThat(map.runCount()).isEqualTo(1);
        for (long s = 100; s < 110; s++) {
            assertThat(map.translate(s)).isEqualTo(new Translation.Exact(s - 100));
        }
    }

    @Test
    void translatesCommittedOffsetInsideCompactionGapToFirstRecordAfterIt() {
        // given records at source 0,1,2 then 7,8 (3..6 compacted away)
        OffsetMap map = OffsetMap.startingAt(0, 0);
        map.append(0, 0);
        map.append(1, 1);
        map.append(2, 2);
        map.append(7, 3);
        map.append(8, 4);
        // then
        assertThat(map.runCount()).isEqualTo(2);
        for (long s = 3; s <= 7; s++) {
            assertThat(map.translate(s)).isEqualTo(new Translation.Exact(3));
        }
        assertThat(map.translate(8)).isEqualTo(new Translation.Exact(4));
    }

    @Test
    void translatesReplicatedPositionToTargetsNextOffset() {
        // given
        OffsetMap map = OffsetMap.startingAt(0, 10);
        map.append(0, 10);
        map.append(1, 11);
        // then
        assertThat(map.translate(2)).isEqualTo(new Translation.Exact(12));
        assertThat(map.translate(3)).isEqualTo(new Translation.NotYetReplicated(2));
    }

    @Test
    void translatesOffsetsAtTailMarkersToTargetsNextOffset() {
        // given a record at 5 followed by a commit marker at 6
        OffsetMap map = OffsetMap.startingAt(5, 0);
        map.append(5, 0);
        // when
        map.advanceTo(7);
        // then
        assertThat(map.replicatedPosition()).isEqualTo(7);
        assertThat(map.translate(6)).isEqualTo(new Translation.Exact(1));
        assertThat(map.translate(7)).isEqualTo(new Translation.Exact(1));
        assertThat(map.translate(8)).isEqualTo(new Translation.NotYetReplicated(7));
    }

    @Test
    void startsNewRunAfterAdvanceEvenWhenTargetIsContiguous() {
        // given
        OffsetMap map = OffsetMap.startingAt(0, 0);
        map.append(0, 0);
        map.advanceTo(3); // aborted records 1..2
        // when
        map.append(3, 1);
        // then
        assertThat(map.runCount()).isEqualTo(2);
        assertThat(map.translate(1)).isEqualTo(new Translation.Exact(1));
        assertThat(map.translate(3)).isEqualTo(new Translation.Exact(1));
        assertThat(map.translate(4)).isEqualTo(new Translation.Exact(2));
    }

    @Test
    void translatesLeadingGapToFirstCopiedRecord() {
        // given the map starts at 0, but the first record is at 4
        OffsetMap map = OffsetMap.startingAt(0, 0);
        map.append(4, 0);
        // then
        assertThat(map.translate(0)).isEqualTo(new Translation.Exact(0));
        assertThat(map.translate(4)).isEqualTo(new Translation.Exact(0));
        assertThat(map.translate(5)).isEqualTo(new Translation.Exact(1));
    }

    @Test
    void emptyMapTranslatesItsStartToTargetStart() {
        OffsetMap map = OffsetMap.startingAt(40, 7);
        assertThat(map.translate(40)).isEqualTo(new Translation.Exact(7));
        assertThat(map.translate(41)).isEqualTo(new Translation.NotYetReplicated(40));
        assertThat(map.translate(39)).isEqualTo(new Translation.BelowRetention(40));
    }

    @Test
    void trimsRunsBelowSourceLogStartAndAnswersBelowRetention() {
        // given three runs
        OffsetMap map = OffsetMap.startingAt(0, 0);
        map.append(0, 0);
        map.append(2, 1);
        map.append(4, 2);
        map.append(5, 3);
        // when
        map.trimBelow(3);
        // then
        assertThat(map.runCount()).isEqualTo(1);
        assertThat(map.translate(2)).isEqualTo(new Translation.BelowRetention(3));
        assertThat(map.translate(3)).isEqualTo(new Translation.Exact(2));
        assertThat(map.translate(5)).isEqualTo(new Translation.Exact(3));
    }

    @Test
    void refusesOffsetsThatDoNotIncrease() {
        OffsetMap map = OffsetMap.startingAt(0, 0);
        map.append(5, 5);
        assertThatThrownBy(() -> map.append(5, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> map.append(6, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> map.advanceTo(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> map.translate(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void growsWithGapsNotWithRecords() {
        // given a million records in one run
        OffsetMap map = OffsetMap.startingAt(0, 0);
        for (long s = 0; s < 1_000_000; s++) {
            map.append(s, s);
        }
        // then
        assertThat(map.runCount()).isEqualTo(1);
        assertThat(map.stateBytes()).isLessThan(256);
    }

    @Test
    void holdsAtMostThirtyTwoBytesPerRunIncludingGrowthSlack() {
        OffsetMap map = OffsetMap.startingAt(0, 0);
        for (long i = 0; i < 1_000_000; i++) {
            map.append(i * 2, i);
            int runs = map.runCount();
            if (runs >= 1_000 && (runs & (runs - 1)) == 0 || runs % 99_991 == 0) {
                assertThat((double) map.stateBytes() / runs)
                        .as("bytes per run at %d runs", runs)
                        .isLessThanOrEqualTo(32.0);
            }
        }
        assertThat((double) map.stateBytes() / map.runCount()).isLessThanOrEqualTo(32.0);
    }

    @Test
    void agreesWithBruteForceModelOnRandomGaps() {
        // given a random source with gaps, copied in order
        Random random = new Random(42);
        OffsetMap map = OffsetMap.startingAt(0, 0);
        List<long[]> copied = new ArrayList<>(); // (source, target)
        long s = 0;
        long t = 0;
        for (int i = 0; i < 5_000; i++) {
            if (random.nextInt(4) == 0) {
                s += 1 + random.nextInt(5);
                map.advanceTo(s);
            }
            map.append(s, t);
            copied.add(new long[] {s, t});
            s++;
            t++;
        }
        map.advanceTo(s + 2);
        // then for every committed offset, the answer is the first copied record at or after it
        for (long committed = 0; committed <= map.replicatedPosition(); committed++) {
            long expected = t;
            for (long[] c : copied) {
                if (c[0] >= committed) {
                    expected = c[1];
                    break;
                }
            }
            assertThat(map.translate(committed)).as("s=%d", committed).isEqualTo(new Translation.Exact(expected));
        }
    }

    @Test
    void translatesExactlyAcrossIndexBlocksAfterTrimming() {
        // given 1000 runs (source 3k at target k), trimmed below source offset 1000
        OffsetMap map = OffsetMap.startingAt(0, 0);
        for (long k = 0; k < 1_000; k++) {
            map.append(3 * k, k);
        }
        map.trimBelow(1_000);
        // then every offset resolves to the first record at or after it
        for (long s = 1_000; s <= 2_998; s++) {
            long expected = (s + 2) / 3;
            assertThat(map.translate(s)).as("s=%d", s).isEqualTo(new Translation.Exact(expected));
        }
        assertThat(map.translate(999)).isEqualTo(new Translation.BelowRetention(1_000));
        assertThat(map.runCount()).isEqualTo(666);
    }

    @Test
    void readersOnOtherThreadsAlwaysSeeAConsistentMap() throws Exception {
        // given a writer appending records two apart (one run per record) and a reader translating concurrently
        OffsetMap map = OffsetMap.startingAt(0, 0);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                long replicated = map.replicatedPosition();
                long s = Math.max(0, replicated - 1);
                Translation answer = map.translate(s);
                // source 2k sits at target k, source 2k+1 is a gap resolving to target k+1
                if (answer instanceof Translation.Exact exact) {
                    long expected = (s + 1) / 2;
                    if (exact.targetOffset() != expected) {
                        failure.compareAndSet(
                                null, "s=" + s + " -> " + exact.targetOffset() + ", expected " + expected);
                    }
                } else {
                    failure.compareAndSet(null, "s=" + s + " -> " + answer);
                }
            }
        });
        reader.start();
        // when
        for (long k = 0; k < 2_000_000; k++) {
            map.append(2 * k, k);
            map.advanceTo(2 * k + 2);
        }
        done.set(true);
        reader.join();
        // then
        assertThat(failure.get()).isNull();
    }
}

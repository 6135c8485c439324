package strait.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirstLandingsTest {

    private final FirstLandings landings = new FirstLandings(new ProxyMetrics(new SimpleMeterRegistry()));
    private final FirstLandings.Key p0 = new FirstLandings.Key(1000, "t", 0);
    private final FirstLandings.Key p1 = new FirstLandings.Key(1000, "t", 1);

    private List<FirstLandings.Key> admit(FirstLandings.Key key, int seq, long now) {
        return landings.admit(List.of(new FirstLandings.Batch(key, seq)), now);
    }

    @Test
    void oneBatchInFlightUntilOneLandsThenEverythingPasses() {
        assertThat(admit(p0, 428, 0)).containsExactly(p0);
        assertThat(admit(p0, 430, 1)).as("another is in flight").isNull();
        assertThat(admit(p1, 17, 1)).as("another partition is its own").containsExactly(p1);
        landings.answered(p0, true);
        assertThat(admit(p0, 430, 2))
                .as("established: nothing in flight is counted")
                .isEmpty();
        assertThat(admit(p0, 431, 2)).isEmpty();
    }

    @Test
    void afterAFailedFirstBatchOnlyTheLowestSequenceMayLand() {
        assertThat(admit(p0, 428, 0)).containsExactly(p0);
        landings.answered(p0, false);
        assertThat(admit(p0, 430, 1))
                .as("a later batch must not land before 428")
                .isNull();
        assertThat(admit(p0, 428, 2)).containsExactly(p0);
        landings.unanswered(List.of(p0));
        assertThat(admit(p0, 0, 3))
                .as("a reset sequence (epoch bump) is lower: it may land")
                .containsExactly(p0);
    }

    @Test
    void aLowestSequenceNotSeenAgainStopsCounting() {
        assertThat(admit(p0, 428, 0)).containsExactly(p0);
        landings.answered(p0, false);
        assertThat(admit(p0, 430, 1)).isNull();
        assertThat(admit(p0, 430, FirstLandings.STALE_NS + 1)).containsExactly(p0);
    }

    @Test
    void aRequestWithOneDeferredPartitionPutsNothingInFlight() {
        assertThat(admit(p0, 5, 0)).containsExactly(p0);
        assertThat(landings.admit(List.of(new FirstLandings.Batch(p1, 3), new FirstLandings.Batch(p0, 9)), 1))
                .isNull();
        assertThat(admit(p1, 3, 2)).as("p1 was not left in flight").containsExactly(p1);
    }
}

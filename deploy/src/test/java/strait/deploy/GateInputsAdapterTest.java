package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import strait.gates.Evaluation;
import strait.gates.GateEvaluator;
import strait.gates.GateInputSources;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.GateThresholds;
import strait.gates.PartitionLag;
import strait.gates.ProducerProxyGate;
import strait.gates.ProxyState;
import strait.gates.ResumePoint;
import strait.gates.TranslationResult;
import strait.offsets.GroupOffsets;
import strait.offsets.GroupOffsetsSnapshot;
import strait.offsets.OffsetMap;
import strait.offsets.OffsetMaps;
import strait.offsets.PartitionOffset;
import strait.replicator.PartitionRunState;
import strait.replicator.PartitionStatus;
import strait.replicator.ReplicatorStatus;
import strait.replicator.TopicParity;

/** The gates' view of the replicator's and the group sync's snapshots, without brokers: staleness and proxy state. */
class GateInputsAdapterTest {

    private static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");
    private static final long STALE_MS = 30_000;
    private static final GateThresholds LIMITS = new GateThresholds(1_000, 5_000, STALE_MS, false);

    private final MovableClock clock = new MovableClock(T0);
    private final AtomicReference<ReplicatorStatus> replicator = new AtomicReference<>(ReplicatorStatus.EMPTY);
    private final AtomicReference<GroupOffsetsSnapshot> groups = new AtomicReference<>(GroupOffsetsSnapshot.EMPTY);
    private final OffsetMaps maps = new OffsetMaps();
    private final GateInputSources sources =
            GateInputsAdapter.of(replicator::get, groups::get, maps, () -> ProxyState.NONE, clock);

    @Test
    void beforeTheFirstRoundsThereIsNoDataYetRatherThanAnEmptyAnswer() {
        GateInputs inputs = sources.read();

        assertThat(inputs.lag()).isEmpty();
        assertThat(inputs.resumePoints()).isEmpty();
        assertThat(inputs.topicParity()).isEmpty();
        Evaluation evaluation = evaluate(inputs);
        assertThat(evaluation.ready()).isFalse();
        assertThat(gate(evaluation, "lag").reason()).isEqualTo("no lag data yet");
        assertThat(gate(evaluation, "resume-points").reason()).isEqualTo("no group offsets data yet");
        assertThat(gate(evaluation, "topic-parity").reason()).isEqualTo("no topic parity data yet");
    }

    @Test
    void eachPartCarriesItsOwnRefreshTime() {
        Instant lagAt = T0.minusSeconds(3);
        Instant topicsAt = T0.minusSeconds(7);
        Instant groupsAt = T0.minusSeconds(1);
        replicator.set(status(lagAt, topicsAt));
        groups.set(new GroupOffsetsSnapshot(groupsAt, Map.of("billing", group("billing", synced()))));

        GateInputs inputs = sources.read();

        assertThat(inputs.lag().orElseThrow().at()).isEqualTo(lagAt);
        assertThat(inputs.topicParity().orElseThrow().at()).isEqualTo(topicsAt);
        assertThat(inputs.resumePoints().orElseThrow().at()).isEqualTo(groupsAt);
        assertThat(evaluate(inputs).ready()).isTrue();
    }

    @Test
    void aSnapshotThatStopsBeingRefreshedFailsItsGateAsStaleWhileTheOthersStillPass() {
        replicator.set(status(T0, T0));
        groups.set(new GroupOffsetsSnapshot(T0, Map.of("billing", group("billing", synced()))));
        clock.advance(Duration.ofMillis(STALE_MS));
        assertThat(evaluate(sources.read()).ready()).isTrue();

        // The replicator keeps its lag time while rounds miss an end offset; topic discovery and groups go on.
        clock.advance(Duration.ofMillis(1));
        Instant now = clock.instant();
        replicator.set(status(T0, now));
        groups.set(new GroupOffsetsSnapshot(now, Map.of("billing", group("billing", synced()))));
        Evaluation evaluation = evaluate(sources.read());

        assertThat(evaluation.ready()).isFalse();
        assertThat(gate(evaluation, "lag").passed()).isFalse();
        assertThat(gate(evaluation, "lag").reason())
                .isEqualTo("stale: lag data last refreshed 30001 ms ago (gates.stale.ms=30000)");
        assertThat(gate(evaluation, "topic-parity").passed()).isTrue();
        assertThat(gate(evaluation, "resume-points").passed()).isTrue();
        assertThat(gate(evaluation, "producer-proxy").passed()).isTrue();
    }

    @Test
    void theProxyStateIsNoneAndDatedWhenReadSoItNeverGoesStale() {
        GateInputs first = sources.read();
        clock.advance(Duration.ofHours(1));
        GateInputs later = sources.read();

        assertThat(first.input(ProducerProxyGate.STATE).orElseThrow().value()).isEqualTo(ProxyState.NONE);
        assertThat(first.input(ProducerProxyGate.STATE).orElseThrow().at()).isEqualTo(T0);
        assertThat(later.input(ProducerProxyGate.STATE).orElseThrow().at()).isEqualTo(T0.plus(Duration.ofHours(1)));
        assertThat(gate(evaluate(later), "producer-proxy").passed()).isTrue();

        GateResult required = gate(
                GateEvaluator.standard(new GateThresholds(1_000, 5_000, STALE_MS, true))
                        .evaluate(later, clock.instant()),
                "producer-proxy");
        assertThat(required.passed()).isFalse();
        assertThat(required.reason()).isEqualTo("proxy.enabled=true but the producer proxy is not running");
    }

    @Test
    void aStoppedPartitionAndATopicMissingOnTheTargetReachTheGates() {
        replicator.set(new ReplicatorStatus(
                T0,
                List.of(new PartitionStatus("orders", 0, 10, 10, 10, 0, 0, PartitionRunState.STOPPED, "fenced", 0, 0)),
                List.of(new TopicParity("orders", 1, 0, false, List.of("missing on the target"))),
                T0));

        GateInputs inputs = sources.read();

        assertThat(inputs.lag().orElseThrow().value())
                .containsExactly(new PartitionLag("orders", 0, 10, 10, 10, 0, 0, Optional.of("fenced")));
        strait.gates.TopicParity parity =
                inputs.topicParity().orElseThrow().value().get(0);
        assertThat(parity.onTarget()).isFalse();
        assertThat(parity.targetPartitions()).isZero();
        assertThat(parity.configDifferences()).containsExactly("missing on the target");
    }

    @Test
    void aTranslatedOffsetTheTargetRefusedIsNoResumePoint() {
        groups.set(new GroupOffsetsSnapshot(
                T0, Map.of("billing", group("billing", new GroupOffsets.GroupSync(false, true, "denied")))));

        List<ResumePoint> points = sources.read().resumePoints().orElseThrow().value();

        assertThat(points).hasSize(1);
        assertThat(points.get(0).valid()).isFalse();
        assertThat(points.get(0).targetOffset()).hasValue(105);
        assertThat(points.get(0).reason()).isEqualTo("translated to 105 but not committed on the target: denied");
    }

    @Test
    void theTranslatorReadsTheLiveMaps() {
        OffsetMap map = OffsetMap.startingAt(0, 100);
        map.append(0, 100);
        maps.put(new TopicPartition("orders", 0), map);

        assertThat(sources.translator().translate("orders", 0, 1)).isEqualTo(new TranslationResult.Exact(101));
        assertThat(sources.translator().translate("orders", 1, 1)).isEqualTo(new TranslationResult.UnknownPartition());
    }

    private static ReplicatorStatus status(Instant refreshedAt, Instant topicsCurrentAt) {
        return new ReplicatorStatus(
                refreshedAt,
                List.of(new PartitionStatus(
                        "billing.internal", 0, 10, 10, 10, 0, 0, PartitionRunState.RUNNING, null, 0, 0)),
                List.of(new TopicParity("billing.internal", 1, 1, true, List.of())),
                topicsCurrentAt);
    }

    private static GroupOffsets.GroupSync synced() {
        return new GroupOffsets.GroupSync(true, false, "synced");
    }

    private static GroupOffsets group(String name, GroupOffsets.GroupSync sync) {
        return new GroupOffsets(
                name,
                List.of(new PartitionOffset("billing.internal", 0, 5, OptionalLong.of(105), true, "exact", "")),
                sync);
    }

    private Evaluation evaluate(GateInputs inputs) {
        return GateEvaluator.standard(LIMITS).evaluate(inputs, clock.instant());
    }

    private static GateResult gate(Evaluation evaluation, String name) {
        return evaluation.gate(name).orElseThrow();
    }

    /** A clock the test moves by hand. */
    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

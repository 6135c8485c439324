package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class GateFunctionsTest {

    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final GateThresholds LIMITS = new GateThresholds(1_000, 5_000, 30_000, false);

    FakeInputs inputs = new FakeInputs(CLOCK).allPassing();

    @Nested
    class Lag {
        LagGate gate = new LagGate(LIMITS);

        @Test
        void passes_when_every_partition_is_inside_both_windows() {
            inputs.lag(
                    PartitionLag.running("a", 0, 1000, 0, 0, 1000, 5000),
                    PartitionLag.running("a", 1, 10, 10, 10, 0, 0));
            GateResult result = gate.evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isTrue();
            assertThat(result.evidence().getInteger("partitions")).isEqualTo(2);
        }

        @Test
        void fails_naming_the_worst_partition_when_records_exceed_the_window() {
            inputs.lag(
                    PartitionLag.running("a", 0, 2000, 999, 999, 1001, 10),
                    PartitionLag.running("b", 3, 90_000, 10, 10, 89_990, 10),
                    PartitionLag.running("c", 0, 10, 10, 10, 0, 0));
            GateResult result = gate.evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isFalse();
            assertThat(result.reason()).contains("2 of 3").contains("b-3");
            assertThat(result.evidence().getJsonArray("worst").getJsonObject(0).getString("topic"))
                    .isEqualTo("b");
            assertThat(result.evidence().getInteger("outsideWindow")).isEqualTo(2);
        }

        @Test
        void fails_when_a_partition_is_too_old_even_with_few_records() {
            inputs.lag(PartitionLag.running("a", 0, 2, 1, 1, 1, 5_001));
            assertThat(gate.evaluate(inputs.snapshot(), NOW).passed()).isFalse();
        }

        @Test
        void fails_on_a_stopped_partition_even_with_no_lag() {
            inputs.lag(new PartitionLag("a", 0, 5, 5, 5, 0, 0, Optional.of("reconcile mismatch at 4")));
            GateResult result = gate.evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isFalse();
            assertThat(result.reason()).contains("a-0 stopped: reconcile mismatch at 4");
            assertThat(result.evidence().getJsonArray("worst").getJsonObject(0).getString("stoppedReason"))
                    .isEqualTo("reconcile mismatch at 4");
        }

        @Test
        void shows_at_most_five_worst_partitions() {
            PartitionLag[] rows = new PartitionLag[8];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = PartitionLag.running("t", i, 5000, 0, 0, 5000 + i, 0);
            }
            inputs.lag(rows);
            GateResult result = gate.evaluate(inputs.snapshot(), NOW);
            assertThat(result.evidence().getJsonArray("worst")).hasSize(LagGate.WORST_SHOWN);
            assertThat(result.evidence().getJsonArray("worst").getJsonObject(0).getInteger("partition"))
                    .isEqualTo(7);
        }

        @Test
        void fails_with_no_data_yet_before_the_first_refresh() {
            inputs.lag.set(Optional.empty());
            GateResult result = gate.evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isFalse();
            assertThat(result.reason()).isEqualTo("no lag data yet");
        }

        @Test
        void fails_as_stale_when_inputs_are_older_than_the_stale_limit() {
            inputs.lag.set(Optional.of(Refreshed.of(List.of(), NOW.minusMillis(30_001))));
            GateResult result = gate.evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isFalse();
            assertThat(result.reason()).startsWith("stale: lag data last refreshed 30001 ms ago");
        }

        @Test
        void passes_at_exactly_the_stale_limit() {
            inputs.lag.set(Optional.of(Refreshed.of(List.of(), NOW.minusMillis(30_000))));
            assertThat(gate.evaluate(inputs.snapshot(), NOW).passed()).isTrue();
        }
    }

    @Nested
    class ResumePoints {
        ResumePointsGate gate = new ResumePointsGate(LIMITS);

        @Test
        void passes_when_every_committed_partition_has_an_exact_translation() {
            inputs.resumePoints(ResumePoint.exact("g1", "a", 0, 5, 7), ResumePoint.exact("g2", "a", 1, 0, 0));
            GateResult result = gate.evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isTrue();
            assertThat(result.evidence().getLong("groups")).isEqualTo(2);
        }

        @Test
        void fails_listing_each_invalid_resume_point_with_its_reason() {
            inputs.resumePoints(
                    ResumePoint.exact("g1", "a", 0, 5, 7),
                    ResumePoint.invalid("g2", "a", 1, 900, "offset 900 not yet replicated (at 400)"));
            GateResult result = gate.evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isFalse();
            assertThat(result.reason()).contains("group g2").contains("not yet replicated");
            assertThat(result.evidence()
                            .getJsonArray("invalid")
                            .getJsonObject(0)
                            .getString("reason"))
                    .contains("900");
        }

        @Test
        void fails_as_stale_when_group_offsets_were_not_refreshed() {
            inputs.resumePoints.set(Optional.of(Refreshed.of(List.of(), NOW.minusSeconds(60))));
            assertThat(gate.evaluate(inputs.snapshot(), NOW).reason()).startsWith("stale: group offsets");
        }
    }

    @Nested
    class Parity {
        TopicParityGate gate = new TopicParityGate(LIMITS);

        @Test
        void passes_when_every_topic_matches() {
            assertThat(gate.evaluate(inputs.snapshot(), NOW).passed()).isTrue();
        }

        @Test
        void fails_listing_missing_topics_partition_counts_and_configs() {
            inputs.topicParity(
                    TopicParity.missingOnTarget("gone", 3),
                    new TopicParity("narrow", true, 6, 3, List.of()),
                    new TopicParity("conf", true, 1, 1, List.of("retention.ms: source 1000, target 2000")),
                    TopicParity.same("fine", 2));
            GateResult result = gate.evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isFalse();
            assertThat(result.evidence().getInteger("differingTopics")).isEqualTo(3);
            assertThat(result.evidence().getJsonArray("differences").encode())
                    .contains("missing on the target")
                    .contains("partitions: source 6, target 3")
                    .contains("retention.ms: source 1000, target 2000");
        }
    }

    @Nested
    class ProducerProxy {
        @Test
        void passes_with_state_none_when_the_proxy_is_not_enabled() {
            GateResult result = new ProducerProxyGate(LIMITS).evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isTrue();
            assertThat(result.evidence().getString("state")).isEqualTo("none");
        }

        @Test
        void fails_when_the_proxy_is_enabled_but_not_running() {
            GateThresholds withProxy = new GateThresholds(1_000, 5_000, 30_000, true);
            GateResult result = new ProducerProxyGate(withProxy).evaluate(inputs.snapshot(), NOW);
            assertThat(result.passed()).isFalse();
            assertThat(result.reason()).contains("proxy.enabled=true").contains("not running");
            assertThat(result.evidence().getString("state")).isEqualTo("none");
        }

        @Test
        void passes_while_the_proxy_mirrors_and_once_switched_and_fails_while_a_cutover_runs() {
            GateThresholds withProxy = new GateThresholds(1_000, 5_000, 30_000, true);
            ProducerProxyGate gate = new ProducerProxyGate(withProxy);
            for (ProxyState state : ProxyState.values()) {
                inputs.proxy.set(java.util.Optional.of(Refreshed.of(state, NOW)));
                GateResult result = gate.evaluate(inputs.snapshot(), NOW);
                assertThat(result.evidence().getString("state")).isEqualTo(state.wireName());
                if (state == ProxyState.MIRRORING || state == ProxyState.SWITCHED) {
                    assertThat(result.passed()).as(state.name()).isTrue();
                } else {
                    assertThat(result.passed()).as(state.name()).isFalse();
                }
                if (state == ProxyState.DRAINING) {
                    assertThat(result.reason()).isEqualTo("a cutover is running (state draining)");
                }
            }
        }
    }

    @Nested
    class Evaluator {
        @Test
        void is_ready_only_when_all_four_gates_pass() {
            GateEvaluator evaluator = GateEvaluator.standard(LIMITS);
            assertThat(evaluator.gateNames()).containsExactly("lag", "resume-points", "topic-parity", "producer-proxy");
            assertThat(evaluator.evaluate(inputs.snapshot(), NOW).ready()).isTrue();
            inputs.topicParity(TopicParity.missingOnTarget("x", 1));
            Evaluation evaluation = evaluator.evaluate(inputs.snapshot(), NOW);
            assertThat(evaluation.ready()).isFalse();
            assertThat(evaluation.toJson().getString("evaluatedAt")).isEqualTo("2026-11-21T12:00:00Z");
        }

        @Test
        void fails_every_gate_with_no_inputs_at_all() {
            Evaluation evaluation = GateEvaluator.standard(LIMITS).evaluate(GateInputs.empty(), NOW);
            assertThat(evaluation.gates()).noneMatch(GateResult::passed);
        }
    }
}

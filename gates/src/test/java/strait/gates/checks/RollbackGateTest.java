package strait.gates.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.Refreshed;

class RollbackGateTest {

    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    static final long DAY_MS = Duration.ofDays(1).toMillis();
    final RollbackGate gate = new RollbackGate(DAY_MS, 30_000, true);

    static GateInputs inputs(Optional<Instant> dryRun, Optional<Instant> rolledBack, boolean switched) {
        return new GateInputs(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Map.of(RollbackGate.REHEARSALS, Refreshed.of(new RehearsalState(dryRun, rolledBack, switched), NOW)));
    }

    @Test
    void failsNamingBothMissingRehearsalsAndHowToRecordThem() {
        GateResult result = gate.evaluate(inputs(Optional.empty(), Optional.empty(), false), NOW);

        assertThat(result.passed()).isFalse();
        assertThat(result.reason())
                .contains("no dry run passed within gates.rollback.max.age.ms (86400000 ms)")
                .contains("POST /cutover {\"dryRun\":true}")
                .contains("no run was rolled back")
                .contains("POST /cutover/rollback");
    }

    @Test
    void aPassedDryRunAloneIsNotEnough() {
        GateResult result = gate.evaluate(inputs(Optional.of(NOW.minusSeconds(60)), Optional.empty(), false), NOW);

        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).startsWith("no run was rolled back").doesNotContain("no dry run");
        assertThat(result.evidence().getString("dryRunPassedAt"))
                .isEqualTo(NOW.minusSeconds(60).toString());
    }

    @Test
    void passesOnceBothAreRecordedWithinTheMaximumAge() {
        GateResult result =
                gate.evaluate(inputs(Optional.of(NOW.minusSeconds(60)), Optional.of(NOW.minusSeconds(30)), false), NOW);

        assertThat(result.passed()).as(result.reason()).isTrue();
        assertThat(result.evidence().getString("rolledBackAt"))
                .isEqualTo(NOW.minusSeconds(30).toString());
    }

    @Test
    void aRehearsalOlderThanTheMaximumAgeFailsSayingHowOld() {
        Instant old = NOW.minusMillis(DAY_MS + 1);
        GateResult result = gate.evaluate(inputs(Optional.of(old), Optional.of(NOW.minusSeconds(30)), false), NOW);

        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).contains("the last one, at " + old + ", is " + (DAY_MS + 1) + " ms old");
    }

    @Test
    void aLinkWithoutAProxyOrAlreadySwitchedPasses() {
        assertThat(new RollbackGate(DAY_MS, 30_000, false)
                        .evaluate(GateInputs.empty(), NOW)
                        .passed())
                .isTrue();
        assertThat(gate.evaluate(inputs(Optional.empty(), Optional.empty(), true), NOW)
                        .passed())
                .isTrue();
        assertThat(gate.evaluate(GateInputs.empty(), NOW).reason()).contains("no cutover rehearsals data yet");
    }
}

package strait.gates.checks;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import strait.gates.Freshness;
import strait.gates.Gate;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.InputKey;

/**
 * {@code rollback}: the way back was rehearsed recently. Passes when the cutover record holds a dry run that passed
 * and a run rolled back on request ({@code POST /cutover/rollback}; a dry run's counts, so rehearsing never fences a
 * producer), each within {@code gates.rollback.max.age.ms}; otherwise fails naming what is missing and how to record
 * it. A link without a producer proxy runs no cutover and passes, as does one already switched (decision 0013).
 */
public final class RollbackGate implements Gate {

    public static final String NAME = "rollback";

    /** The input this gate judges, registered by the composition root from the cutover record. */
    public static final InputKey<RehearsalState> REHEARSALS =
            new InputKey<>("cutover rehearsals", RehearsalState.class);

    private final long maxAgeMs;
    private final long staleMs;
    private final boolean proxyEnabled;

    /**
     * @param maxAgeMs {@code gates.rollback.max.age.ms}
     * @param staleMs {@code gates.stale.ms}
     * @param proxyEnabled {@code proxy.enabled}: whether this link has a cutover at all
     */
    public RollbackGate(long maxAgeMs, long staleMs, boolean proxyEnabled) {
        this.maxAgeMs = maxAgeMs;
        this.staleMs = staleMs;
        this.proxyEnabled = proxyEnabled;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GateResult evaluate(GateInputs inputs, Instant now) {
        JsonObject evidence = new JsonObject().put("maxAgeMs", maxAgeMs).put("proxyEnabled", proxyEnabled);
        if (!proxyEnabled) {
            return GateResult.pass(
                    NAME, "no producer proxy in this link (proxy.enabled=false): no cutover to rehearse", evidence);
        }
        Freshness.Checked<RehearsalState> checked =
                Freshness.check(REHEARSALS.name(), inputs.input(REHEARSALS), now, staleMs);
        if (checked instanceof Freshness.Unusable<RehearsalState> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        RehearsalState state = ((Freshness.Usable<RehearsalState>) checked).value();
        evidence.put("dryRunPassedAt", text(state.dryRunPassedAt()))
                .put("rolledBackAt", text(state.rolledBackAt()))
                .put("switched", state.switched());
        if (state.switched()) {
            return GateResult.pass(NAME, "the link has switched to the target; nothing left to rehearse", evidence);
        }
        List<String> missing = new ArrayList<>();
        if (!recent(state.dryRunPassedAt(), now)) {
            missing.add(what("no dry run passed", state.dryRunPassedAt(), now)
                    + ": run one with POST /cutover {\"dryRun\":true} (strait cutover --url URL --dry-run)");
        }
        if (!recent(state.rolledBackAt(), now)) {
            missing.add(what("no run was rolled back", state.rolledBackAt(), now)
                    + ": start a dry run and, while it runs, POST /cutover/rollback");
        }
        if (!missing.isEmpty()) {
            return GateResult.fail(NAME, String.join("; ", missing), evidence);
        }
        return GateResult.pass(
                NAME,
                "rehearsed: a dry run passed at " + state.dryRunPassedAt().get() + " and a run was rolled back at "
                        + state.rolledBackAt().get(),
                evidence);
    }

    private boolean recent(Optional<Instant> at, Instant now) {
        return at.isPresent() && Duration.between(at.get(), now).toMillis() <= maxAgeMs;
    }

    private String what(String none, Optional<Instant> at, Instant now) {
        String window = " within gates.rollback.max.age.ms (" + maxAgeMs + " ms)";
        return at.map(a -> none + window + "; the last one, at " + a + ", is "
                        + Duration.between(a, now).toMillis() + " ms old")
                .orElse(none + window);
    }

    private static String text(Optional<Instant> at) {
        return at.map(Instant::toString).orElse(null);
    }
}

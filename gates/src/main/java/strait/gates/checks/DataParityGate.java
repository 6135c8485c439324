package strait.gates.checks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import strait.gates.Freshness;
import strait.gates.Gate;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.InputKey;

/**
 * {@code data-parity}: records sampled at mapped offsets are the same on both clusters (key, value, headers,
 * timestamp). Fails naming the first mismatch's partition and offsets; the evidence lists them all (up to
 * {@value #SHOWN}) with the partitions and samples compared. The samples come from {@link ParitySampler}, which runs
 * every {@code gates.parity.interval.ms}: its input may be that much older than {@code gates.stale.ms} allows others.
 */
public final class DataParityGate implements Gate {

    public static final String NAME = "data-parity";

    /** The input this gate judges, registered by the composition root. */
    public static final InputKey<ParitySnapshot> SAMPLES = new InputKey<>("record samples", ParitySnapshot.class);

    static final int SHOWN = 50;

    private final long staleMs;

    /**
     * @param staleMs {@code gates.stale.ms}
     * @param intervalMs {@code gates.parity.interval.ms}: samples may be two rounds older than the stale limit
     */
    public DataParityGate(long staleMs, long intervalMs) {
        this.staleMs = staleMs + 2 * intervalMs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GateResult evaluate(GateInputs inputs, Instant now) {
        Freshness.Checked<ParitySnapshot> checked =
                Freshness.check(SAMPLES.name(), inputs.input(SAMPLES), now, staleMs);
        if (checked instanceof Freshness.Unusable<ParitySnapshot> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        Freshness.Usable<ParitySnapshot> usable = (Freshness.Usable<ParitySnapshot>) checked;
        ParitySnapshot snapshot = usable.value();
        JsonArray mismatches = new JsonArray();
        snapshot.mismatches().stream().limit(SHOWN).forEach(m -> mismatches.add(m.toJson()));
        JsonObject evidence = new JsonObject()
                .put("partitionsChecked", snapshot.partitionsChecked())
                .put("samplesCompared", snapshot.samplesCompared())
                .put("recordsRead", snapshot.recordsRead())
                .put("mismatchCount", snapshot.mismatches().size())
                .put("mismatches", mismatches)
                .put("refreshedAt", usable.refreshedAt().toString());
        if (snapshot.problem().isPresent()) {
            return GateResult.fail(NAME, snapshot.problem().get(), evidence);
        }
        if (!snapshot.mismatches().isEmpty()) {
            return GateResult.fail(
                    NAME,
                    snapshot.mismatches().size() + " sampled records differ on the target; e.g. "
                            + snapshot.mismatches().get(0),
                    evidence);
        }
        return GateResult.pass(
                NAME,
                snapshot.samplesCompared() + " sampled records in " + snapshot.partitionsChecked()
                        + " partitions are the same on both clusters",
                evidence);
    }
}

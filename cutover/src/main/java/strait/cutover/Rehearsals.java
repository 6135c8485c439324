package strait.cutover;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When the link last rehearsed its cutover: the latest dry run that passed, and the latest run (dry or real, before
 * its point of no return) that an operator rolled back ({@code POST /cutover/rollback}) and that aborted as asked.
 * Kept in the cutover record across runs and restarts, for the {@code rollback} gate. A run that failed on its own,
 * or was aborted by a stopping sidecar, rehearses nothing.
 */
public record Rehearsals(Optional<Instant> dryRunPassedAt, Optional<Instant> rolledBackAt) {

    public static final Rehearsals NONE = new Rehearsals(Optional.empty(), Optional.empty());

    public Rehearsals {
        Objects.requireNonNull(dryRunPassedAt, "dryRunPassedAt");
        Objects.requireNonNull(rolledBackAt, "rolledBackAt");
    }

    Rehearsals dryRunPassed(Instant at) {
        return new Rehearsals(Optional.of(at), rolledBackAt);
    }

    Rehearsals rolledBack(Instant at) {
        return new Rehearsals(dryRunPassedAt, Optional.of(at));
    }

    JsonObject toJson() {
        return new JsonObject()
                .put("dryRunPassedAt", dryRunPassedAt.map(Instant::toString).orElse(null))
                .put("rolledBackAt", rolledBackAt.map(Instant::toString).orElse(null));
    }

    static Rehearsals fromJson(JsonObject json) {
        if (json == null) {
            return NONE;
        }
        return new Rehearsals(instant(json.getString("dryRunPassedAt")), instant(json.getString("rolledBackAt")));
    }

    private static Optional<Instant> instant(String text) {
        return text == null ? Optional.empty() : Optional.of(Instant.parse(text));
    }
}

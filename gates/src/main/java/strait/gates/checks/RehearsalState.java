package strait.gates.checks;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@code rollback} gate judges, from the link's cutover record: when a dry run last passed, when a run was
 * last rolled back on request, and whether the link has switched already. Immutable.
 */
public record RehearsalState(Optional<Instant> dryRunPassedAt, Optional<Instant> rolledBackAt, boolean switched) {

    public RehearsalState {
        Objects.requireNonNull(dryRunPassedAt, "dryRunPassedAt");
        Objects.requireNonNull(rolledBackAt, "rolledBackAt");
    }

    /** A link without a cutover (no producer proxy). */
    public static final RehearsalState NO_CUTOVER = new RehearsalState(Optional.empty(), Optional.empty(), false);
}

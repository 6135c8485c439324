package strait.gates.checks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@code compatibility} gate judges: the source's ACLs on the link's topics and groups and the quotas of
 * their principals, each compared with the target at one moment. Immutable; built on the
 * {@link CompatibilityReader}'s thread, read by the evaluation worker.
 *
 * @param sourceAuthorizer whether the source enforces ACLs (without an authorizer it has none to compare)
 * @param targetAuthorizer whether the target does
 * @param bindings source ACL bindings on the link's topics and groups
 * @param principals the principals holding them
 * @param checks one per binding and named topic or group it covers, each looked up on the target
 * @param aclGaps the first {@value #SHOWN} checks the target fails
 * @param aclGapCount all of them
 * @param quotasCompared quota values of those principals compared
 * @param quotaGaps the first {@value #SHOWN} quota values the target lacks or holds differently
 * @param quotaGapCount all of them
 * @param problem why the clusters could not be read (an authorization error, a time-out), empty when they were
 */
public record CompatibilitySnapshot(
        boolean sourceAuthorizer,
        boolean targetAuthorizer,
        int bindings,
        int principals,
        long checks,
        List<AclGap> aclGaps,
        long aclGapCount,
        int quotasCompared,
        List<QuotaGap> quotaGaps,
        int quotaGapCount,
        Optional<String> problem) {

    static final int SHOWN = 100;

    public CompatibilitySnapshot {
        aclGaps = List.copyOf(aclGaps);
        quotaGaps = List.copyOf(quotaGaps);
        Objects.requireNonNull(problem, "problem");
    }

    /** A snapshot saying only why there is nothing to compare. */
    public static CompatibilitySnapshot failed(String problem) {
        return new CompatibilitySnapshot(false, false, 0, 0, 0, List.of(), 0, 0, List.of(), 0, Optional.of(problem));
    }
}

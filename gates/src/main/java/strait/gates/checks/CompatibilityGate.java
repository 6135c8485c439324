package strait.gates.checks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import strait.gates.Freshness;
import strait.gates.Gate;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.InputKey;
import strait.gates.TopicParityGate;

/**
 * {@code compatibility}: clients that work on the source will work the same on the target. Every principal holding
 * ACLs on the link's topics and groups on the source is allowed (and denied) the same on the target, their client
 * quotas are there with the same values, and the replicated topics' configs are equal — judged by the
 * {@code topic-parity} gate itself, whose verdict this gate includes rather than repeats. The evidence names every
 * missing grant and quota, so a failure is a list of ACLs to add.
 *
 * <p>Pure, like every gate: the ACLs and quotas come from {@link CompatibilityReader}.
 */
public final class CompatibilityGate implements Gate {

    public static final String NAME = "compatibility";

    /** The input this gate judges, registered by the composition root. */
    public static final InputKey<CompatibilitySnapshot> ACLS_AND_QUOTAS =
            new InputKey<>("ACLs and quotas", CompatibilitySnapshot.class);

    private final TopicParityGate topicConfigs;
    private final long staleMs;

    /** @param topicConfigs the topic-parity gate, asked about the topics' configs */
    public CompatibilityGate(TopicParityGate topicConfigs, long staleMs) {
        this.topicConfigs = topicConfigs;
        this.staleMs = staleMs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GateResult evaluate(GateInputs inputs, Instant now) {
        Freshness.Checked<CompatibilitySnapshot> checked =
                Freshness.check(ACLS_AND_QUOTAS.name(), inputs.input(ACLS_AND_QUOTAS), now, staleMs);
        if (checked instanceof Freshness.Unusable<CompatibilitySnapshot> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        Freshness.Usable<CompatibilitySnapshot> usable = (Freshness.Usable<CompatibilitySnapshot>) checked;
        CompatibilitySnapshot snapshot = usable.value();
        GateResult configs = topicConfigs.evaluate(inputs, now);
        JsonObject evidence = new JsonObject()
                .put("sourceAuthorizer", snapshot.sourceAuthorizer())
                .put("targetAuthorizer", snapshot.targetAuthorizer())
                .put("sourceBindings", snapshot.bindings())
                .put("principals", snapshot.principals())
                .put("aclChecks", snapshot.checks())
                .put("missingAclCount", snapshot.aclGapCount())
                .put(
                        "missingAcls",
                        new JsonArray(
                                snapshot.aclGaps().stream().map(AclGap::toJson).toList()))
                .put("quotasCompared", snapshot.quotasCompared())
                .put("quotaDifferenceCount", snapshot.quotaGapCount())
                .put(
                        "quotaDifferences",
                        new JsonArray(snapshot.quotaGaps().stream()
                                .map(QuotaGap::toJson)
                                .toList()))
                .put(
                        "topicConfigs",
                        new JsonObject()
                                .put("gate", TopicParityGate.NAME)
                                .put("passed", configs.passed())
                                .put("reason", configs.reason()))
                .put("refreshedAt", usable.refreshedAt().toString());
        if (snapshot.problem().isPresent()) {
            return GateResult.fail(NAME, snapshot.problem().get(), evidence);
        }
        List<String> failures = new ArrayList<>();
        if (snapshot.sourceAuthorizer() && !snapshot.targetAuthorizer() && snapshot.bindings() > 0) {
            failures.add("the target has no authorizer while the source enforces " + snapshot.bindings()
                    + " ACLs on the link's topics and groups: every client may do anything on the target");
        }
        if (snapshot.aclGapCount() > 0) {
            failures.add(snapshot.aclGapCount() + " of " + snapshot.checks() + " source ACL checks fail on the target;"
                    + " e.g. " + snapshot.aclGaps().get(0).describe());
        }
        if (snapshot.quotaGapCount() > 0) {
            failures.add(snapshot.quotaGapCount() + " of " + snapshot.quotasCompared() + " quota values differ; e.g. "
                    + snapshot.quotaGaps().get(0).describe());
        }
        if (!configs.passed()) {
            failures.add("topic configs (" + TopicParityGate.NAME + "): " + configs.reason());
        }
        if (!failures.isEmpty()) {
            return GateResult.failFirst(NAME, failures, evidence);
        }
        String acls = snapshot.sourceAuthorizer()
                ? snapshot.bindings() + " source ACLs of " + snapshot.principals() + " principals on the link's topics"
                        + " and groups hold on the target (" + snapshot.checks() + " checks)"
                : "the source has no authorizer: no ACLs to compare";
        return GateResult.pass(
                NAME, acls + "; " + snapshot.quotasCompared() + " quota values equal; " + configs.reason(), evidence);
    }
}

package strait.gates;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * {@code resume-points}: every in-scope group has a valid exact translation for every partition it committed on,
 * so each can resume on the target with nothing skipped and nothing read twice. The evidence lists the invalid ones.
 */
public final class ResumePointsGate implements Gate {

    public static final String NAME = "resume-points";
    static final int INVALID_SHOWN = 20;

    private final GateThresholds thresholds;

    public ResumePointsGate(GateThresholds thresholds) {
        this.thresholds = thresholds;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GateResult evaluate(GateInputs inputs, Instant now) {
        Freshness.Checked<List<ResumePoint>> checked =
                Freshness.check("group offsets", inputs.resumePoints(), now, thresholds.staleMs());
        if (checked instanceof Freshness.Unusable<List<ResumePoint>> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        Freshness.Usable<List<ResumePoint>> usable = (Freshness.Usable<List<ResumePoint>>) checked;
        List<ResumePoint> points = usable.value();
        List<ResumePoint> invalid = points.stream().filter(p -> !p.valid()).toList();
        long groups = points.stream().map(ResumePoint::group).distinct().count();
        JsonArray shown = new JsonArray();
        invalid.stream()
                .limit(INVALID_SHOWN)
                .forEach(p -> shown.add(new JsonObject()
                        .put("group", p.group())
                        .put("topic", p.topic())
                        .put("partition", p.partition())
                        .put("sourceOffset", p.sourceOffset())
                        .put("reason", p.reason())));
        JsonObject evidence = new JsonObject()
                .put("groups", groups)
                .put("partitions", points.size())
                .put("invalidCount", invalid.size())
                .put("invalid", shown)
                .put("refreshedAt", usable.refreshedAt().toString());
        if (invalid.isEmpty()) {
            return GateResult.pass(
                    NAME,
                    groups == 0 ? "no groups in scope" : "all " + groups + " groups have exact resume points",
                    evidence);
        }
        ResumePoint first = invalid.get(0);
        return GateResult.fail(
                NAME,
                invalid.size() + " resume points invalid; e.g. group " + first.group() + " on " + first.topic() + "-"
                        + first.partition() + ": " + first.reason(),
                evidence);
    }
}

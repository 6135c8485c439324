package strait.gates;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * {@code topic-parity}: every replicated topic exists on the target with the same partition count and replicated
 * configs. The evidence lists each difference.
 */
public final class TopicParityGate implements Gate {

    public static final String NAME = "topic-parity";
    static final int DIFFERENCES_SHOWN = 50;

    private final GateThresholds thresholds;

    public TopicParityGate(GateThresholds thresholds) {
        this.thresholds = thresholds;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GateResult evaluate(GateInputs inputs, Instant now) {
        Freshness.Checked<List<TopicParity>> checked =
                Freshness.check("topic parity", inputs.topicParity(), now, thresholds.staleMs());
        if (checked instanceof Freshness.Unusable<List<TopicParity>> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        Freshness.Usable<List<TopicParity>> usable = (Freshness.Usable<List<TopicParity>>) checked;
        List<TopicParity> topics = usable.value();
        JsonArray differences = new JsonArray();
        int differing = 0;
        for (TopicParity topic : topics) {
            List<String> diffs = topic.differences();
            if (!diffs.isEmpty()) {
                differing++;
                for (String diff : diffs) {
                    if (differences.size() < DIFFERENCES_SHOWN) {
                        differences.add(
                                new JsonObject().put("topic", topic.topic()).put("difference", diff));
                    }
                }
            }
        }
        JsonObject evidence = new JsonObject()
                .put("topics", topics.size())
                .put("differingTopics", differing)
                .put("differences", differences)
                .put("refreshedAt", usable.refreshedAt().toString());
        if (differing == 0) {
            return GateResult.pass(NAME, "all " + topics.size() + " topics at parity", evidence);
        }
        JsonObject first = differences.getJsonObject(0);
        return GateResult.fail(
                NAME,
                differing + " of " + topics.size() + " topics differ; e.g. " + first.getString("topic") + ": "
                        + first.getString("difference"),
                evidence);
    }
}

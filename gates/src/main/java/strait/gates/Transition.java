package strait.gates;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;

/**
 * One change of a gate's verdict, for the change record. The first evaluation of each gate is recorded too, with
 * no previous verdict, so the record shows where each gate started.
 */
public record Transition(
        String gate,
        Instant at,
        Optional<Boolean> previouslyPassed,
        boolean passed,
        String reason,
        JsonObject evidence) {

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("gate", gate).put("at", at.toString());
        json.put("from", previouslyPassed.map(Transition::verdict).orElse(null));
        return json.put("to", verdict(passed))
                .put("passed", passed)
                .put("reason", reason)
                .put("evidence", evidence);
    }

    private static String verdict(boolean passed) {
        return passed ? "pass" : "fail";
    }
}

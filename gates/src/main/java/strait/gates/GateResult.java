package strait.gates;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One gate's verdict. {@code evidence} holds the numbers the verdict rests on, for the change record; treat it as
 * immutable once built (the evaluation worker builds it, event loops only read it).
 */
public record GateResult(String name, boolean passed, String reason, JsonObject evidence) {

    public GateResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(evidence, "evidence");
    }

    public static GateResult pass(String name, String reason, JsonObject evidence) {
        return new GateResult(name, true, reason, evidence);
    }

    public static GateResult fail(String name, String reason, JsonObject evidence) {
        return new GateResult(name, false, reason, evidence);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("name", name)
                .put("passed", passed)
                .put("reason", reason)
                .put("evidence", evidence);
    }
}

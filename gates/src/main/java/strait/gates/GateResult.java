package strait.gates;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * One gate's verdict. {@code evidence} holds the numbers the verdict rests on, for the change record; treat it as
 * immutable once built (the evaluation worker builds it, event loops only read it).
 *
 * <p>A gate switched off by {@code gates.disabled} has a verdict too, so every gate is listed: {@code disabled},
 * passed (it holds nothing back), with no evidence, never evaluated.
 */
public record GateResult(String name, boolean passed, String reason, JsonObject evidence, boolean disabled) {

    public GateResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(evidence, "evidence");
    }

    public GateResult(String name, boolean passed, String reason, JsonObject evidence) {
        this(name, passed, reason, evidence, false);
    }

    /** The entry of a gate named in {@code gates.disabled}. */
    public static GateResult disabled(String name) {
        return new GateResult(name, true, "disabled by gates.disabled; not evaluated", new JsonObject(), true);
    }

    public static GateResult pass(String name, String reason, JsonObject evidence) {
        return new GateResult(name, true, reason, evidence);
    }

    public static GateResult fail(String name, String reason, JsonObject evidence) {
        return new GateResult(name, false, reason, evidence);
    }

    /** A failure whose reason is the first of several, with how many more the evidence holds. */
    public static GateResult failFirst(String name, List<String> reasons, JsonObject evidence) {
        String more = reasons.size() > 1 ? " (and " + (reasons.size() - 1) + " more)" : "";
        return fail(name, reasons.get(0) + more, evidence);
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("name", name)
                .put("passed", passed)
                .put("reason", reason)
                .put("evidence", evidence);
        return disabled ? json.put("disabled", true) : json;
    }
}

package strait.cutover;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of a cutover run as the history shows it: what it was, when it began and ended, how it went and the
 * numbers that decided it. Immutable.
 *
 * @param outcome {@code running}, {@code passed} or {@code failed}
 * @param detail one sentence for a human: what was checked, or why it failed
 * @param numbers the evidence (partitions checked, offsets, held requests, milliseconds)
 */
public record CutoverStep(
        CutoverState state,
        Instant startedAt,
        Optional<Instant> endedAt,
        String outcome,
        String detail,
        JsonObject numbers) {

    public CutoverStep {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        numbers = numbers == null ? new JsonObject() : numbers.copy();
    }

    static CutoverStep running(CutoverState state, Instant at) {
        return new CutoverStep(state, at, Optional.empty(), "running", "", new JsonObject());
    }

    CutoverStep ended(Instant at, boolean passed, String why, JsonObject evidence) {
        return new CutoverStep(state, startedAt, Optional.of(at), passed ? "passed" : "failed", why, evidence);
    }

    @Override
    public JsonObject numbers() {
        return numbers.copy();
    }

    JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("state", state.name())
                .put("startedAt", startedAt.toString())
                .put("outcome", outcome)
                .put("detail", detail)
                .put("numbers", numbers.copy());
        endedAt.ifPresent(
                t -> json.put("endedAt", t.toString()).put("tookMs", t.toEpochMilli() - startedAt.toEpochMilli()));
        return json;
    }

    static CutoverStep fromJson(JsonObject json) {
        return new CutoverStep(
                CutoverState.valueOf(json.getString("state")),
                Instant.parse(json.getString("startedAt")),
                Optional.ofNullable(json.getString("endedAt")).map(Instant::parse),
                json.getString("outcome", ""),
                json.getString("detail", ""),
                json.getJsonObject("numbers", new JsonObject()));
    }
}

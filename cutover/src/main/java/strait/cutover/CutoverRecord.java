package strait.cutover;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A link's cutover as persisted on the target and served by {@code GET /cutover}: the current state, the last run's
 * steps and how it ended. Immutable; the coordinator replaces it at every transition.
 *
 * @param run the number of the latest run, 0 before the first
 * @param since when {@code state} was entered
 * @param dryRun whether the latest run checks without fencing or switching
 * @param result {@code none}, {@code running}, {@code switched}, {@code aborted}, {@code dry-run-passed} or
 *     {@code dry-run-failed}
 * @param reason why the run ended as it did (empty while running)
 * @param steps the latest run's steps, oldest first
 * @param heldMs how long the fence held writes in the latest run (raise to switch or release), 0 when it did not
 * @param producerIds the producer-id mapping the proxy uses after the switch, in its own text form; empty before
 * @param rehearsals when a dry run last passed and a run was last rolled back, across runs
 */
public record CutoverRecord(
        long run,
        CutoverState state,
        Instant since,
        boolean dryRun,
        String result,
        String reason,
        List<CutoverStep> steps,
        long heldMs,
        String producerIds,
        Rehearsals rehearsals) {

    public CutoverRecord {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(reason, "reason");
        steps = List.copyOf(steps);
        Objects.requireNonNull(producerIds, "producerIds");
        Objects.requireNonNull(rehearsals, "rehearsals");
    }

    /** A record with no rehearsal yet. */
    public CutoverRecord(
            long run,
            CutoverState state,
            Instant since,
            boolean dryRun,
            String result,
            String reason,
            List<CutoverStep> steps,
            long heldMs,
            String producerIds) {
        this(run, state, since, dryRun, result, reason, steps, heldMs, producerIds, Rehearsals.NONE);
    }

    CutoverRecord withRehearsals(Rehearsals next) {
        return new CutoverRecord(run, state, since, dryRun, result, reason, steps, heldMs, producerIds, next);
    }

    /** A link that never ran a cutover. */
    static CutoverRecord initial(Instant now) {
        return new CutoverRecord(0, CutoverState.MIRRORING, now, false, "none", "", List.of(), 0, "");
    }

    CutoverRecord entering(CutoverState next, Instant at) {
        List<CutoverStep> history = new ArrayList<>(steps);
        history.add(CutoverStep.running(next, at));
        return new CutoverRecord(run, next, at, dryRun, result, reason, history, heldMs, producerIds, rehearsals);
    }

    /** The running step ended; the state stays until the next {@link #entering} or {@link #ended}. */
    CutoverRecord stepEnded(CutoverStep ended) {
        List<CutoverStep> history = new ArrayList<>(steps);
        history.set(history.size() - 1, ended);
        return new CutoverRecord(run, state, since, dryRun, result, reason, history, heldMs, producerIds, rehearsals);
    }

    CutoverRecord ended(CutoverState finalState, Instant at, String newResult, String why, long held) {
        return new CutoverRecord(run, finalState, at, dryRun, newResult, why, steps, held, producerIds, rehearsals);
    }

    CutoverRecord withProducerIds(String mapping) {
        return new CutoverRecord(run, state, since, dryRun, result, reason, steps, heldMs, mapping, rehearsals);
    }

    /** The running step, if one is. */
    java.util.Optional<CutoverStep> runningStep() {
        return steps.isEmpty() || steps.get(steps.size() - 1).endedAt().isPresent()
                ? java.util.Optional.empty()
                : java.util.Optional.of(steps.get(steps.size() - 1));
    }

    public JsonObject toJson() {
        JsonArray history = new JsonArray();
        steps.forEach(s -> history.add(s.toJson()));
        return new JsonObject()
                .put("run", run)
                .put("state", state.name())
                .put("since", since.toString())
                .put("dryRun", dryRun)
                .put("result", result)
                .put("reason", reason)
                .put("heldMs", heldMs)
                .put("steps", history)
                .put("producerIds", producerIds)
                .put("rehearsals", rehearsals.toJson());
    }

    static CutoverRecord fromJson(JsonObject json) {
        List<CutoverStep> steps = new ArrayList<>();
        json.getJsonArray("steps", new JsonArray()).forEach(s -> steps.add(CutoverStep.fromJson((JsonObject) s)));
        return new CutoverRecord(
                json.getLong("run", 0L),
                CutoverState.valueOf(json.getString("state")),
                Instant.parse(json.getString("since")),
                json.getBoolean("dryRun", false),
                json.getString("result", "none"),
                json.getString("reason", ""),
                steps,
                json.getLong("heldMs", 0L),
                json.getString("producerIds", ""),
                Rehearsals.fromJson(json.getJsonObject("rehearsals")));
    }
}

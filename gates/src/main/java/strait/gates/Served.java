package strait.gates;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the HTTP handlers serve: the latest evaluation, the inputs it was made from, and the hot bodies already
 * encoded, so {@code /gates/ready} costs a read of one reference and a write of a shared read-only buffer. Built on the evaluation worker,
 * immutable afterwards, read by event loops.
 */
record Served(
        Evaluation evaluation, GateInputs inputs, Buffer readyBody, Map<String, Buffer> gateBodies, Buffer statusBody) {

    static Served of(Evaluation evaluation, GateInputs inputs) {
        Map<String, Buffer> gates = new HashMap<>();
        evaluation.gates().forEach(g -> gates.put(g.name(), bytes(g.toJson())));
        return new Served(evaluation, inputs, bytes(evaluation.toJson()), Map.copyOf(gates), bytes(statusJson(inputs)));
    }

    /** {@code GET /status}: per-partition positions and lag (docs/contract.md), plus when they were refreshed. */
    static JsonObject statusJson(GateInputs inputs) {
        JsonArray partitions = new JsonArray();
        List<PartitionLag> rows = inputs.lag().map(Refreshed::value).orElse(List.of());
        rows.forEach(p -> {
            JsonObject row = new JsonObject()
                    .put("topic", p.topic())
                    .put("partition", p.partition())
                    .put("sourceEnd", p.sourceEnd())
                    .put("replicated", p.replicated())
                    .put("targetEnd", p.targetEnd())
                    .put("lagRecords", p.lagRecords())
                    .put("lagMs", p.lagMs())
                    .put("recordsForwarded", p.recordsForwarded())
                    .put("recordsEncoded", p.recordsEncoded());
            p.stoppedReason().ifPresent(r -> row.put("stoppedReason", r));
            partitions.add(row);
        });
        return new JsonObject()
                .put("partitions", partitions)
                .put("refreshedAt", inputs.lag().map(r -> r.at().toString()).orElse(null));
    }

    /** {@code GET /offsets/groups}: the in-scope groups with a one-line summary each. */
    JsonObject groupsJson() {
        Map<String, int[]> counts = new java.util.TreeMap<>();
        resumePoints().forEach(p -> {
            int[] c = counts.computeIfAbsent(p.group(), g -> new int[2]);
            c[0]++;
            if (!p.valid()) {
                c[1]++;
            }
        });
        JsonArray groups = new JsonArray();
        counts.forEach((group, c) -> groups.add(new JsonObject()
                .put("group", group)
                .put("partitions", c[0])
                .put("invalid", c[1])
                .put("valid", c[1] == 0)));
        return new JsonObject()
                .put("groups", groups)
                .put(
                        "refreshedAt",
                        inputs.resumePoints().map(r -> r.at().toString()).orElse(null));
    }

    /** {@code GET /offsets/groups/{group}}, or empty when the group is not in scope or unknown. */
    Optional<JsonObject> groupJson(String group) {
        JsonArray partitions = new JsonArray();
        resumePoints().stream()
                .filter(p -> p.group().equals(group))
                .forEach(p -> partitions.add(new JsonObject()
                        .put("topic", p.topic())
                        .put("partition", p.partition())
                        .put("sourceOffset", p.sourceOffset())
                        .put(
                                "targetOffset",
                                p.targetOffset().isPresent() ? p.targetOffset().getAsLong() : null)
                        .put("valid", p.valid())
                        .put("reason", p.reason())));
        if (partitions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JsonObject().put("group", group).put("partitions", partitions));
    }

    private List<ResumePoint> resumePoints() {
        return inputs.resumePoints().map(Refreshed::value).orElse(List.of());
    }

    /** Never written after this; Vert.x sends a slice of it, so one buffer serves every request. */
    private static Buffer bytes(JsonObject json) {
        return json.toBuffer();
    }
}

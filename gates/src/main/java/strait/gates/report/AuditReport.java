package strait.gates.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import strait.gates.Evaluation;
import strait.gates.GateResult;
import strait.gates.Transition;

/**
 * The change record's evidence in one document ({@code GET /report}, {@code strait report}): every gate's latest
 * verdict with its evidence, every recorded gate transition, the cutover record and the configuration, secrets
 * masked. Rendered as JSON and as Markdown from the same parts; {@link SignedDocument} adds each one's SHA-256.
 *
 * <p>Immutable. Built and rendered on the gates' worker, never on an event loop (a long history takes a few ms).
 *
 * @param config the configuration with every secret already masked ({@code StraitConfig.masked()}): this class
 *     prints what it is given
 */
public record AuditReport(
        Instant generatedAt,
        Evaluation evaluation,
        List<Transition> transitions,
        JsonObject cutover,
        Map<String, String> config) {

    public AuditReport {
        Objects.requireNonNull(generatedAt, "generatedAt");
        Objects.requireNonNull(evaluation, "evaluation");
        transitions = List.copyOf(transitions);
        Objects.requireNonNull(cutover, "cutover");
        config = Map.copyOf(config);
    }

    public JsonObject toJson() {
        JsonArray history = new JsonArray();
        transitions.forEach(t -> history.add(t.toJson()));
        JsonObject configuration = new JsonObject();
        new java.util.TreeMap<>(config).forEach(configuration::put);
        return new JsonObject()
                .put("generatedAt", generatedAt.toString())
                .put("ready", evaluation.ready())
                .put("evaluatedAt", evaluation.evaluatedAt().toString())
                .put("gates", evaluation.toJson().getJsonArray("gates"))
                .put("transitions", history)
                .put("cutover", cutover)
                .put("configuration", configuration);
    }

    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Strait cutover report\n\n");
        md.append("Generated at ")
                .append(generatedAt)
                .append("; gates evaluated at ")
                .append(evaluation.evaluatedAt())
                .append(": **")
                .append(evaluation.ready() ? "READY" : "NOT READY")
                .append("**.\n\n");
        md.append("## Gates\n\n| gate | verdict | reason |\n| --- | --- | --- |\n");
        for (GateResult gate : evaluation.gates()) {
            md.append("| ")
                    .append(cell(gate.name()))
                    .append(" | ")
                    .append(verdict(gate))
                    .append(" | ")
                    .append(cell(gate.reason()))
                    .append(" |\n");
        }
        for (GateResult gate : evaluation.gates()) {
            md.append("\n### ")
                    .append(gate.name())
                    .append("\n\n```json\n")
                    .append(gate.evidence().encodePrettily())
                    .append("\n```\n");
        }
        md.append("\n## Gate transitions (oldest first)\n\n");
        if (transitions.isEmpty()) {
            md.append("None recorded.\n");
        } else {
            md.append("| at | gate | from | to | reason |\n| --- | --- | --- | --- | --- |\n");
            for (Transition t : transitions) {
                md.append("| ")
                        .append(t.at())
                        .append(" | ")
                        .append(cell(t.gate()))
                        .append(" | ")
                        .append(t.previouslyPassed()
                                .map(p -> p ? "pass" : "fail")
                                .orElse("–"))
                        .append(" | ")
                        .append(t.passed() ? "pass" : "fail")
                        .append(" | ")
                        .append(cell(t.reason()))
                        .append(" |\n");
            }
        }
        md.append("\n## Cutover\n\n```json\n").append(cutover.encodePrettily()).append("\n```\n");
        md.append("\n## Configuration (secrets masked)\n\n| key | value |\n| --- | --- |\n");
        new java.util.TreeMap<>(config)
                .forEach((key, value) -> md.append("| `")
                        .append(cell(key))
                        .append("` | ")
                        .append(cell(value))
                        .append(" |\n"));
        return md.toString();
    }

    private static String verdict(GateResult gate) {
        return gate.disabled() ? "disabled" : gate.passed() ? "pass" : "**fail**";
    }

    /** Text safe in one Markdown table cell. */
    private static String cell(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }
}

package strait.cutover;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every cutover transition to the log and, when {@code gates.evidence.file} is set, appends it there as one
 * JSON line with {@code "kind": "cutover"}, beside the gates' transitions, so the change record holds both.
 *
 * <p>Cutover thread only. Each line is one append of a whole line, so lines of the gates' worker never interleave
 * inside it.
 */
final class CutoverEvidence {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverEvidence.class);

    private final Optional<Path> file;
    private boolean failing;

    CutoverEvidence(Optional<Path> file) {
        this.file = file;
    }

    void record(long run, boolean dryRun, CutoverStep step) {
        LOG.info(
                "cutover run {}{}: {} {}{}",
                run,
                dryRun ? " (dry run)" : "",
                step.state(),
                step.outcome(),
                step.detail().isEmpty() ? "" : ": " + step.detail());
        append(new JsonObject()
                .put("kind", "cutover")
                .put("run", run)
                .put("dryRun", dryRun)
                .mergeIn(step.toJson()));
    }

    void ended(CutoverRecord record) {
        LOG.info(
                "cutover run {}{} ended {} in state {}{}",
                record.run(),
                record.dryRun() ? " (dry run)" : "",
                record.result(),
                record.state(),
                record.reason().isEmpty() ? "" : ": " + record.reason());
        append(new JsonObject()
                .put("kind", "cutover")
                .put("run", record.run())
                .put("dryRun", record.dryRun())
                .put("state", record.state().name())
                .put("at", record.since().toString())
                .put("result", record.result())
                .put("reason", record.reason())
                .put("heldMs", record.heldMs()));
    }

    private void append(JsonObject line) {
        if (file.isEmpty()) {
            return;
        }
        try {
            Files.writeString(
                    file.get(),
                    line.encode() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            failing = false;
        } catch (IOException e) {
            if (!failing) {
                LOG.warn("cannot append cutover evidence to {}: {}", file.get(), e.toString());
                failing = true;
            }
        }
    }
}

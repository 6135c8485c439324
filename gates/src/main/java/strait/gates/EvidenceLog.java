package strait.gates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each gate's pass/fail transitions with their evidence: in memory (the last {@value #KEPT}) for
 * {@code GET /gates/history}, and appended as JSON lines to {@code gates.evidence.file} when set.
 *
 * <p>Single writer: {@link #record} is called only from the evaluation worker (it does file I/O). {@link #history}
 * may be called from any thread, event loops included: it reads an immutable list.
 */
final class EvidenceLog {

    private static final Logger LOG = LoggerFactory.getLogger(EvidenceLog.class);
    static final int KEPT = 1_000;

    private final Optional<Path> file;
    private final AtomicReference<List<Transition>> history = new AtomicReference<>(List.of());
    private boolean fileFailing;

    EvidenceLog(Optional<Path> file) {
        this.file = file;
    }

    /** Compares two evaluations and records every gate whose verdict changed (or appeared). Evaluation worker only. */
    List<Transition> record(Optional<Evaluation> previous, Evaluation current) {
        List<Transition> changes = new ArrayList<>();
        for (GateResult gate : current.gates()) {
            Optional<Boolean> before =
                    previous.flatMap(p -> p.gate(gate.name())).map(GateResult::passed);
            if (before.isEmpty() || before.get() != gate.passed()) {
                changes.add(new Transition(
                        gate.name(), current.evaluatedAt(), before, gate.passed(), gate.reason(), gate.evidence()));
            }
        }
        if (!changes.isEmpty()) {
            List<Transition> next = new ArrayList<>(history.get());
            next.addAll(changes);
            if (next.size() > KEPT) {
                next = next.subList(next.size() - KEPT, next.size());
            }
            history.set(List.copyOf(next));
            file.ifPresent(path -> append(path, changes));
        }
        return changes;
    }

    /** The recorded transitions, oldest first. Any thread. */
    List<Transition> history() {
        return history.get();
    }

    private void append(Path path, List<Transition> changes) {
        StringBuilder lines = new StringBuilder();
        changes.forEach(t -> lines.append(t.toJson().encode()).append('\n'));
        try {
            Files.writeString(
                    path,
                    lines,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            if (fileFailing) {
                LOG.info("gate evidence file {} writable again", path);
                fileFailing = false;
            }
        } catch (IOException e) {
            if (!fileFailing) {
                LOG.warn("cannot append gate evidence to {}: {}", path, e.toString());
                fileFailing = true;
            }
        }
    }
}

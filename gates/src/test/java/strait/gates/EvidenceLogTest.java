package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceLogTest {

    static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

    @TempDir
    Path dir;

    static Evaluation at(Instant at, boolean lagPasses, boolean parityPasses) {
        return new Evaluation(
                at,
                List.of(
                        new GateResult("lag", lagPasses, lagPasses ? "ok" : "a-0 behind", new JsonObject().put("n", 1)),
                        new GateResult("topic-parity", parityPasses, "p", new JsonObject())));
    }

    @Test
    void records_first_verdicts_then_only_flips_and_appends_them_as_json_lines() throws Exception {
        Path file = dir.resolve("evidence.jsonl");
        EvidenceLog log = new EvidenceLog(Optional.of(file));
        Evaluation first = at(T0, false, true);
        Evaluation same = at(T0.plusSeconds(1), false, true);
        Evaluation flipped = at(T0.plusSeconds(2), true, true);

        assertThat(log.record(Optional.empty(), first)).hasSize(2);
        assertThat(log.record(Optional.of(first), same)).isEmpty();
        List<Transition> flips = log.record(Optional.of(same), flipped);

        assertThat(flips).singleElement().satisfies(t -> {
            assertThat(t.gate()).isEqualTo("lag");
            assertThat(t.previouslyPassed()).contains(false);
            assertThat(t.passed()).isTrue();
        });
        assertThat(log.history()).hasSize(3);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        JsonObject last = new JsonObject(lines.get(2));
        assertThat(last.getString("gate")).isEqualTo("lag");
        assertThat(last.getString("from")).isEqualTo("fail");
        assertThat(last.getString("to")).isEqualTo("pass");
        assertThat(last.getString("at")).isEqualTo("2026-11-21T12:00:02Z");
        assertThat(last.getJsonObject("evidence").getInteger("n")).isEqualTo(1);
    }

    @Test
    void keeps_recording_in_memory_when_the_file_cannot_be_written() {
        EvidenceLog log = new EvidenceLog(Optional.of(dir.resolve("no/such/dir/evidence.jsonl")));
        log.record(Optional.empty(), at(T0, true, true));
        assertThat(log.history()).hasSize(2);
    }

    @Test
    void keeps_only_the_latest_transitions_in_memory() {
        EvidenceLog log = new EvidenceLog(Optional.empty());
        Evaluation previous = at(T0, true, true);
        log.record(Optional.empty(), previous);
        for (int i = 1; i <= EvidenceLog.KEPT; i++) {
            Evaluation next = at(T0.plusSeconds(i), i % 2 == 0, true);
            log.record(Optional.of(previous), next);
            previous = next;
        }
        assertThat(log.history()).hasSize(EvidenceLog.KEPT);
        assertThat(log.history().get(EvidenceLog.KEPT - 1).at()).isEqualTo(T0.plusSeconds(EvidenceLog.KEPT));
    }
}

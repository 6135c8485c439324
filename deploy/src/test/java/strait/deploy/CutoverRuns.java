package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a cutover as an operator's script does, for the tests that cut over a whole sidecar. */
final class CutoverRuns {

    private CutoverRuns() {}

    /**
     * Runs {@code strait cutover --url ...} as an operator's script would; checks its exit code and that it printed
     * every step; returns {@code GET /cutover} once it has ended.
     */
    static JsonObject run(String http, int expectedExit) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(
                new String[] {"cutover", "--url", http},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as("exit code; printed:%n%s%s", printed, err).isEqualTo(expectedExit);
        JsonObject ended = new JsonObject(StraitProcess.get(http + "/cutover").body());
        assertThat(printed)
                .contains("cutover run " + ended.getLong("run") + " started")
                .contains("result: ");
        ended.getJsonArray("steps")
                .forEach(step -> assertThat(printed).contains(((JsonObject) step).getString("state")));
        return ended;
    }
}

package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import strait.config.StraitConfig;

class DemoIT {

    @TempDir
    Path dir;

    @Test
    void demoServesHealthWithin60sPassesEveryGateAndStopsCleanlyOnSigtermRemovingItsDirectories() throws Exception {
        try (StraitProcess demo = StraitProcess.start(dir, List.of("-Dstrait.demo.http.port=0"), "demo")) {
            String base = demo.awaitBaseUrl(Duration.ofSeconds(60));

            var health = StraitProcess.awaitStatus(base + "/health", 200, Duration.ofSeconds(10));
            assertThat(health.body()).contains("\"status\"").contains("UP");
            String banner = demo.stdout();
            assertThat(banner).contains("demo.orders").contains("demo.billing").contains("/gates/ready");
            var ready = StraitProcess.awaitStatus(base + "/gates/ready", 200, Duration.ofSeconds(90));
            assertThat(new JsonObject(ready.body())
                            .getJsonArray("gates").stream()
                                    .map(g -> ((JsonObject) g).getString("name"))
                                    .toList())
                    .as("the demo shows every gate, each passing")
                    .isEqualTo(StraitConfig.GATE_NAMES);
            List<String> dataDirs = dataDirectories(banner);
            assertThat(dataDirs)
                    .hasSize(2)
                    .allSatisfy(d -> assertThat(Path.of(d)).exists());

            assertThat(demo.terminate(Duration.ofSeconds(10)))
                    .as("exits within 10 s of SIGTERM")
                    .isPresent();
            String stderr = demo.stderr();
            assertThat(dataDirs)
                    .as("data directories removed; stderr:%n%s", stderr)
                    .allSatisfy(d -> assertThat(Path.of(d)).doesNotExist());
            assertThat(demo.stderr()).doesNotContain("\tat ");
        }
    }

    private static List<String> dataDirectories(String banner) {
        Matcher m = Pattern.compile("data dirs:\\s+\\[([^\\]]+)\\]").matcher(banner);
        assertThat(m.find()).as("banner names the data directories").isTrue();
        return List.of(m.group(1).split(",\\s*"));
    }
}

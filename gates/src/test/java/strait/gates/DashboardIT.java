package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import strait.embedded.Eventually;
import strait.embedded.SystemPrograms;

/**
 * The dashboard rendered by a real headless Chromium (Debian's {@code chromium}, installed by {@code .ci/run}) against
 * the real server: the page must show the gates' live states, the lag rows and the groups' resume points.
 */
class DashboardIT {

    static final String CHROMIUM = "chromium";

    @TempDir
    Path dir;

    final Clock clock = Clock.systemUTC();
    final FakeInputs inputs = new FakeInputs(clock).allPassing();
    GatesServer server;

    @BeforeEach
    void start() {
        SystemPrograms.require(CHROMIUM, "chromium");
        server = new GatesServer(
                TestVertx.VERTX,
                new GatesSettings(
                        "127.0.0.1",
                        0,
                        Optional.empty(),
                        new GateThresholds(1_000, 5_000, 30_000, false),
                        Optional.empty(),
                        Duration.ofMillis(50)),
                inputs.sources(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock);
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) { // null when the program is missing and the test was skipped
            server.close();
        }
    }

    @Test
    void shows_a_failing_lag_gate_as_fail_and_the_lagging_partition() throws Exception {
        inputs.lag(PartitionLag.running("dash-orders", 3, 9_000, 1_000, 1_000, 8_000, 7_000));
        inputs.resumePoints(
                ResumePoint.exact("dash-billing", "dash-orders", 3, 900, 905),
                ResumePoint.invalid("dash-audit", "dash-orders", 3, 5_000, "offset 5000 not yet replicated"));
        awaitEvaluation(false);

        String dom = dumpDom();

        assertThat(dom).contains("NOT READY");
        assertThat(dom)
                .containsPattern("<tr data-gate=\"lag\" class=\"fail\"><td class=\"name\">lag</td>"
                        + "<td class=\"state\">fail</td>");
        assertThat(dom)
                .containsPattern("<tr data-gate=\"topic-parity\" class=\"pass\"><td class=\"name\">"
                        + "topic-parity</td><td class=\"state\">pass</td>");
        assertThat(dom).contains("data-partition=\"dash-orders-3\"").contains(">8000<");
        assertThat(dom).containsPattern("<tr data-group=\"dash-audit\" class=\"fail\">.*invalid.*not yet replicated");
        assertThat(dom).containsPattern("<tr data-group=\"dash-billing\" class=\"pass\">.*>905<");
        assertThat(dom).containsPattern("(?s)<table id=\"history\">.*<td>lag</td><td>pass</td><td>fail</td>");
    }

    @Test
    void shows_every_gate_passing_once_caught_up() throws Exception {
        awaitEvaluation(true);
        String dom = dumpDom();
        assertThat(dom).contains(">READY<");
        for (String gate : List.of("lag", "resume-points", "topic-parity", "producer-proxy")) {
            assertThat(dom).contains("<tr data-gate=\"" + gate + "\" class=\"pass\">");
        }
        assertThat(dom).doesNotContain("class=\"fail\"");
    }

    @Test
    void shows_a_disabled_gate_as_disabled() throws Exception {
        server.close();
        server = new GatesServer(
                TestVertx.VERTX,
                new GatesSettings(
                                "127.0.0.1",
                                0,
                                Optional.empty(),
                                new GateThresholds(1_000, 5_000, 30_000, false),
                                Optional.empty(),
                                Duration.ofMillis(50))
                        .withDisabled(java.util.Set.of("topic-parity")),
                inputs.sources(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock);
        server.start();
        awaitEvaluation(true);

        String dom = dumpDom();

        assertThat(dom)
                .contains("<tr data-gate=\"topic-parity\" class=\"muted\"><td class=\"name\">topic-parity</td>"
                        + "<td class=\"state\">disabled</td>");
        assertThat(dom).contains("<tr data-gate=\"lag\" class=\"pass\">");
    }

    private void awaitEvaluation(boolean ready) {
        Eventually.eventually(
                "evaluation to become ready=" + ready,
                Duration.ofSeconds(10),
                () -> server.latestEvaluation().ready() == ready);
    }

    private String dumpDom() throws IOException, InterruptedException {
        Path profile = Files.createDirectory(dir.resolve("chromium-profile-" + System.nanoTime()));
        Path out = dir.resolve("dom-" + System.nanoTime() + ".html");
        Path err = dir.resolve("chromium-stderr.txt");
        Process chromium = new ProcessBuilder(
                        CHROMIUM,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--user-data-dir=" + profile,
                        "--virtual-time-budget=5000",
                        "--dump-dom",
                        "http://127.0.0.1:" + server.port() + "/")
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            boolean exited = chromium.waitFor(90, TimeUnit.SECONDS);
            assertThat(exited).as("chromium exited within 90 s").isTrue();
        } finally {
            chromium.descendants().forEach(ProcessHandle::destroyForcibly);
            chromium.destroyForcibly();
        }
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(dom)
                .as("chromium printed a DOM; stderr: " + Files.readString(err))
                .contains("<table id=\"gates\">");
        return dom;
    }
}

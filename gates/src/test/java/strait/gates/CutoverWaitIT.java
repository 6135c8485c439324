package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import strait.embedded.Eventually;
import strait.embedded.SystemPrograms;

/** {@code deploy/cutover-wait.sh} run by bash against the real server. */
class CutoverWaitIT {

    static final Path SCRIPT =
            Path.of("..", "deploy", "cutover-wait.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    final Clock clock = Clock.systemUTC();
    final FakeInputs inputs = new FakeInputs(clock).allPassing();
    GatesServer server;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void start() {
        SystemPrograms.require("curl", "curl");
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
    void exits_0_at_once_when_every_gate_passes() throws Exception {
        Run run = run(Optional.empty(), "--url", base(), "--timeout", "10");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("ready: every gate passes");
    }

    @Test
    void exits_1_on_timeout_printing_each_blocking_gate_and_why() throws Exception {
        blockOnLag();
        Run run = run(Optional.empty(), "--url", base(), "--timeout", "0");
        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.err())
                .contains("timed out after 0s")
                .contains("lag: 1 of 1 partitions outside the lag window")
                .contains("wait-orders-2")
                .contains("resume-points: 1 resume points invalid");
        assertThat(run.err()).doesNotContain("topic-parity").doesNotContain("producer-proxy");
    }

    @Test
    void waits_while_blocked_and_exits_0_once_the_gates_pass() throws Exception {
        blockOnLag();
        Process process = start(Optional.empty(), "--url", base(), "--timeout", "60", "--interval", "1");
        Path out = dir.resolve("out.txt");
        Eventually.eventually(
                "script reports the blocking gates",
                Duration.ofSeconds(20),
                () -> read(out).contains("blocked by"));
        inputs.allPassing();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(Files.readString(out)).contains("lag: ").contains("ready: every gate passes");
    }

    @Test
    void parses_the_answer_with_sed_when_python3_is_missing() throws Exception {
        blockOnLag();
        Path bin = Files.createDirectory(dir.resolve("bin"));
        for (String tool : List.of("curl", "date", "mktemp", "rm", "sed", "grep", "sleep", "cat")) {
            Path real = which(tool);
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        Run run = run(Optional.of(bin.toString()), "--url", base(), "--timeout", "0");
        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.err())
                .contains("lag: 1 of 1 partitions outside the lag window; worst wait-orders-2")
                .contains("resume-points: 1 resume points invalid; e.g. group wait-audit");
    }

    @Test
    void exits_1_when_the_sidecar_does_not_answer() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Run run = run(Optional.empty(), "--url", "http://127.0.0.1:" + closedPort, "--timeout", "0");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("sidecar not answering");
    }

    @Test
    void exits_2_on_bad_usage() throws Exception {
        assertThat(run(Optional.empty(), "--bogus").exit()).isEqualTo(2);
        assertThat(run(Optional.empty(), "--timeout", "soon").exit()).isEqualTo(2);
        assertThat(run(Optional.empty(), "--timeout", "-5").exit()).isEqualTo(2);
        assertThat(run(Optional.empty(), "--interval", "0").exit()).isEqualTo(2);
        assertThat(run(Optional.empty(), "--url").exit()).isEqualTo(2);
        Run notUrl = run(Optional.empty(), "--url", "localhost:8080");
        assertThat(notUrl.exit()).isEqualTo(2);
        assertThat(notUrl.err()).contains("usage:");
    }

    private void blockOnLag() {
        inputs.lag(PartitionLag.running("wait-orders", 2, 90_000, 10, 10, 89_990, 60_000));
        inputs.resumePoints(ResumePoint.invalid("wait-audit", "wait-orders", 2, 80_000, "not yet replicated"));
        Eventually.eventually(
                "gates to fail",
                Duration.ofSeconds(10),
                () -> !server.latestEvaluation()
                                .gate("resume-points")
                                .orElseThrow()
                                .passed()
                        && !server.latestEvaluation().gate("lag").orElseThrow().passed());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private String base() {
        return "http://127.0.0.1:" + server.port();
    }

    private Run run(Optional<String> path, String... args) throws IOException, InterruptedException {
        Process process = start(path, args);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("script finished").isTrue();
        return new Run(
                process.exitValue(),
                Files.readString(dir.resolve("out.txt")),
                Files.readString(dir.resolve("err.txt")));
    }

    private Process start(Optional<String> path, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(which("bash").toString(), SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        path.ifPresent(p -> builder.environment().put("PATH", p));
        return builder.start();
    }

    private static Path which(String tool) throws IOException {
        for (String entry : System.getenv("PATH").split(":")) {
            Path candidate = Path.of(entry, tool);
            if (Files.isExecutable(candidate) && !entry.contains("pyenv")) {
                return candidate.toRealPath();
            }
        }
        throw new IOException(tool + " not found on PATH");
    }
}

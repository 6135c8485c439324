package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import strait.config.StraitConfig;
import strait.embedded.Eventually;
import strait.embedded.FreePorts;
import strait.embedded.SharedClusters;

/**
 * A cluster the sidecar cannot reach when it starts (docs/decisions/0012): one WARN line per attempt naming the side
 * and the address, the HTTP API answering meanwhile with that reason, and the start going on by itself once the address
 * answers. The jar runs as a child JVM; the unreachable address is a closed local port.
 */
class UnreachableClusterIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    @TempDir
    Path dir;

    @Test
    void anUnreachableTargetIsOneLineNamingItWhileHttpAnswersWhyAndTheStartGoesOnOnceItAnswers() throws Exception {
        int closedPort = FreePorts.range(2);
        int httpPort = closedPort + 1;
        String target = "127.0.0.1:" + closedPort;
        Path config = Files.write(
                dir.resolve("strait.properties"),
                List.of(
                        "source.bootstrap.servers=" + CLUSTERS.sourceBootstrapServers(),
                        "target.bootstrap.servers=" + target,
                        "topics=unreachable\\\\..*",
                        "target.replication.factor=1",
                        "http.port=" + httpPort));
        String base = "http://127.0.0.1:" + httpPort;
        String line =
                "cannot reach the target cluster at " + target + " (target.bootstrap.servers): connection refused";

        try (StraitProcess strait = StraitProcess.start(dir, List.of(), "run", "--config", config.toString())) {
            HttpResponse<String> health = StraitProcess.awaitStatus(base + "/health", 200, Duration.ofSeconds(60));
            assertThat(new JsonObject(health.body()))
                    .isEqualTo(new JsonObject().put("status", "STARTING").put("reason", line));

            HttpResponse<String> ready = StraitProcess.get(base + "/gates/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonObject readyBody = new JsonObject(ready.body());
            assertThat(readyBody.getBoolean("ready")).isFalse();
            assertThat(readyBody.getJsonArray("gates").stream().map(g -> ((JsonObject) g).getString("reason")))
                    .hasSize(StraitConfig.GATE_NAMES.size())
                    .allSatisfy(reason -> assertThat(reason).isEqualTo("starting: " + line));
            HttpResponse<String> status = StraitProcess.get(base + "/status");
            assertThat(status.statusCode()).isEqualTo(503);
            assertThat(new JsonObject(status.body()).getString("error")).isEqualTo("starting: " + line);

            Eventually.eventually(
                    "a second attempt logged",
                    Duration.ofSeconds(30),
                    () -> strait.stderr().contains("attempt 2,"));
            List<String> logged = strait.stderr().lines().toList();
            assertThat(logged)
                    .filteredOn(l -> l.contains(line))
                    .hasSizeBetween(2, 3)
                    .allSatisfy(l -> assertThat(l).contains("WARN").contains("not started yet, attempt "));
            assertThat(logged)
                    .as("nothing but the one line per attempt, no Kafka client warnings")
                    .allSatisfy(l ->
                            assertThat(l).doesNotContain("org.apache.kafka").doesNotContain("NetworkClient"))
                    .filteredOn(l -> l.contains("WARN"))
                    .allSatisfy(l -> assertThat(l).contains(line));
            assertThat(strait.process().isAlive()).isTrue();

            // The address starts answering as the real target: the sidecar goes on by itself.
            try (TcpForwarder forwarder = TcpForwarder.start(closedPort, CLUSTERS.targetBootstrapServers())) {
                Eventually.eventually(
                        "the sidecar started once the target answered",
                        Duration.ofSeconds(90),
                        () -> strait.stdout().contains("strait is running"));
                HttpResponse<String> up = StraitProcess.awaitStatus(base + "/health", 200, Duration.ofSeconds(10));
                assertThat(new JsonObject(up.body()).getString("status")).isEqualTo("UP");
                assertThat(strait.stderr()).contains("both clusters are reachable after ");
                assertThat(strait.terminate(Duration.ofSeconds(20))).isPresent();
            }
        }
    }

    @Test
    void sigtermWhileWaitingForAClusterRunsTheShutdownThatClosesWhatHadStarted() throws Exception {
        int closedPort = FreePorts.range(2);
        int httpPort = closedPort + 1;
        Path config = Files.write(
                dir.resolve("sigterm.properties"),
                List.of(
                        "source.bootstrap.servers=" + CLUSTERS.sourceBootstrapServers(),
                        "target.bootstrap.servers=127.0.0.1:" + closedPort,
                        "topics=unreachable\\\\..*",
                        "http.port=" + httpPort));
        try (StraitProcess strait = StraitProcess.start(dir, List.of(), "run", "--config", config.toString())) {
            StraitProcess.awaitStatus("http://127.0.0.1:" + httpPort + "/health", 200, Duration.ofSeconds(60));

            assertThat(strait.terminate(Duration.ofSeconds(20)))
                    .as("exited after SIGTERM; stderr:%n%s", strait.stderr())
                    .isPresent();
            // The shutdown hook ran although the start-up had not finished: it closes the parts started so far.
            assertThat(strait.stderr()).contains("ShutdownHook - stopping").doesNotContain("Exception");
        }
    }
}

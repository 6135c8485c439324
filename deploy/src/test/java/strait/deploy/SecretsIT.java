package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import strait.embedded.SharedClusters;

/** A secret in {@code source.sasl.jaas.config} appears in no output: logs, errors, validate, HTTP. */
class SecretsIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final String SECRET = "Tr0ub4dor-and-3";
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"strait\" password=\"" + SECRET + "\";";

    @TempDir
    Path dir;

    private Path config(String... extra) throws Exception {
        List<String> lines = new ArrayList<>(List.of(
                "source.bootstrap.servers=" + CLUSTERS.sourceBootstrapServers(),
                "target.bootstrap.servers=" + CLUSTERS.targetBootstrapServers(),
                "topics=secrets\\\\..*",
                "http.port=0",
                // PLAINTEXT listeners: the JAAS config does not apply, and is accepted and passed on
                // (docs/contract.md).
                "source.sasl.jaas.config=" + JAAS,
                "target.ssl.keystore.password=" + SECRET));
        lines.addAll(List.of(extra));
        Path file = Files.createTempFile(dir, "strait", ".properties");
        Files.write(file, lines);
        return file;
    }

    @Test
    void secretAppearsInNoLogHttpAnswerOrValidateOutput() throws Exception {
        List<String> seen = new ArrayList<>();
        List<String> verbose = List.of("-Dstrait.log.level=DEBUG", "-Dstrait.log.root.level=INFO");
        try (StraitProcess strait = StraitProcess.start(dir, verbose, "run", "--config", config().toString())) {
            String base = strait.awaitBaseUrl(Duration.ofSeconds(60));
            StraitProcess.awaitStatus(base + "/health", 200, Duration.ofSeconds(30));
            for (String path : List.of(
                    "/health",
                    "/status",
                    "/gates/ready",
                    "/gates/lag",
                    "/metrics",
                    "/",
                    "/offsets/groups/none",
                    "/offsets/translate?topic=secrets.a&partition=0&offset=0",
                    "/offsets/translate?topic=x",
                    "/no/such/path")) {
                var response = StraitProcess.get(base + path);
                seen.add(path + " -> " + response.statusCode() + " " + response.body());
            }
            strait.terminate(Duration.ofSeconds(15));
            seen.add(strait.stdout());
            seen.add(strait.stderr());
            assertThat(strait.stderr()).as("the run logged something to check").isNotBlank();
        }
        try (StraitProcess validate =
                StraitProcess.start(dir, List.of(), "validate", "--config", config().toString())) {
            assertThat(validate.process().waitFor()).isZero();
            seen.add(validate.stdout());
            seen.add(validate.stderr());
        }
        Path bad = config("gates.lag.max.ms=soon", "source.sasl.mechanism=" + SECRET.substring(0, 3));
        try (StraitProcess validate = StraitProcess.start(dir, List.of(), "validate", "--config", bad.toString())) {
            assertThat(validate.process().waitFor()).isEqualTo(2);
            seen.add(validate.stderr());
        }

        assertThat(seen).allSatisfy(output -> assertThat(output).doesNotContain(SECRET));
        assertThat(String.join("\n", seen)).contains("sasl.jaas.config").contains("gates.lag.max.ms");
    }
}

package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path config(String content) throws IOException {
        Path file = dir.resolve("strait.properties");
        Files.writeString(file, content);
        return file;
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void validateNamesUnknownMissingAndNonNumericKeysAndExits2() throws IOException {
        Path file = config("""
                source.bootstrap.servers=a:9092
                target.bootstrap.servers=b:9092
                replicate.everything=yes
                gates.lag.max.ms=five
                """);

        int code = run("validate", "--config", file.toString());

        assertThat(code).isEqualTo(2);
        assertThat(stderr().lines().toList())
                .anySatisfy(l -> assertThat(l).contains("replicate.everything").contains("unknown key"))
                .anySatisfy(l -> assertThat(l).contains("topics").contains("required but missing"))
                .anySatisfy(l -> assertThat(l).contains("gates.lag.max.ms").contains("not a valid long"));
        assertThat(stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void validateAcceptsAGoodConfigWithExit0AndShowsItMasked() throws IOException {
        Path file = config("""
                source.bootstrap.servers=a:9092
                target.bootstrap.servers=b:9092
                topics=orders.*
                source.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="x" password="pa55-word";
                """);

        int code = run("validate", "--config", file.toString());

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("topics=orders.*")
                .doesNotContain("pa55-word");
        assertThat(stderr()).doesNotContain("pa55-word");
    }

    @Test
    void missingConfigFileIsABadConfig() {
        int code = run("validate", "--config", dir.resolve("absent.properties").toString());

        assertThat(code).isEqualTo(2);
        assertThat(stderr()).contains("absent.properties: no such file");
    }

    @Test
    void validateRefusesATokenFileThatDoesNotExist() throws IOException {
        Path token = dir.resolve("no-such-token");
        Path file = config("""
                source.bootstrap.servers=a:9092
                target.bootstrap.servers=b:9092
                topics=orders.*
                http.auth.token.file=%s
                """.formatted(token));

        assertThat(run("validate", "--config", file.toString())).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("config: http.auth.token.file: " + token + " does not exist");
    }

    @Test
    void runRefusesATokenFileThatDoesNotExistBeforeConnectingToAnyCluster() throws IOException {
        Path token = dir.resolve("no-such-token");
        // Unreachable clusters: the run must stop at the config, never try them.
        Path file = config("""
                source.bootstrap.servers=127.0.0.1:1
                target.bootstrap.servers=127.0.0.1:1
                topics=orders.*
                http.auth.token.file=%s
                """.formatted(token));

        assertThat(run("run", "--config", file.toString())).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("config: http.auth.token.file: " + token + " does not exist");
    }

    @Test
    void validateAcceptsATokenFileThatExistsAndNeverShowsItsContent() throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "t0ken-value-xyz\n");
        Path file = config("""
                source.bootstrap.servers=a:9092
                target.bootstrap.servers=b:9092
                topics=orders.*
                http.auth.token.file=%s
                """.formatted(token));

        assertThat(run("validate", "--config", file.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8) + stderr()).doesNotContain("t0ken-value-xyz");
    }

    @Test
    void runWithABadConfigExits2Too() throws IOException {
        Path file = config("topics=.*\n");

        assertThat(run("run", "--config", file.toString())).isEqualTo(2);
        assertThat(stderr()).contains("source.bootstrap.servers: required but missing");
    }

    @Test
    void unknownCommandAndMissingConfigArgumentAreUsageErrors() {
        assertThat(run("replicate")).isEqualTo(2);
        assertThat(stderr()).contains("unknown command 'replicate'").contains("usage:");
        assertThat(run("validate")).isEqualTo(2);
        assertThat(stderr()).contains("validate needs --config FILE");
        assertThat(run()).isEqualTo(2);
    }

    @Test
    void reportNeedsAUrlAndAnOutFileAndSaysSoWithExit2() {
        assertThat(run("report", "--url", "http://127.0.0.1:1")).isEqualTo(2);
        assertThat(stderr()).contains("report needs --out FILE");
        assertThat(run("report", "--out", dir.resolve("r").toString())).isEqualTo(2);
        assertThat(stderr()).contains("report needs --url URL");
    }

    @Test
    void reportFromASidecarThatDoesNotAnswerExits1NamingTheUrl() {
        int code = run(
                "report",
                "--url",
                "http://127.0.0.1:1",
                "--out",
                dir.resolve("r").toString());

        assertThat(code).isEqualTo(1);
        assertThat(stderr()).contains("cannot reach http://127.0.0.1:1/report").doesNotContain("\tat ");
        assertThat(dir.resolve("r.md")).doesNotExist();
    }

    @Test
    void helpPrintsUsageAndExits0() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("run --config FILE")
                .contains("demo");
    }
}

package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import strait.config.StraitConfig;

/**
 * Bad configuration files through the command line, {@code validate --config F} and {@code run --config F} alike:
 * every key of {@link StraitConfig} with a value of the wrong type, out of range or otherwise invalid, set twice;
 * unknown keys; an empty, binary, non-UTF-8, unreadable or missing file, a directory. Every case exits 2 with one line
 * on stderr naming the key or the file and what is wrong, no stack trace, and no secret value echoed. {@code run}
 * stops at the configuration: the clusters named are never tried.
 */
class BadConfigTest {

    /** In every secret value, so a test can see it was not echoed. */
    private static final String SECRET = "s3cret-Va1ue";

    @TempDir
    Path dir;

    /** A valid value for every declared key (the required ones are in every file). */
    private static final Map<String, String> GOOD = new LinkedHashMap<>();

    static {
        GOOD.put("source.bootstrap.servers", "127.0.0.1:1");
        GOOD.put("target.bootstrap.servers", "127.0.0.1:1");
        GOOD.put("topics", "orders\\\\..*");
        GOOD.put("topics.exclude", "orders\\\\.tmp");
        GOOD.put("topics.refresh.interval.ms", "1000");
        GOOD.put("target.replication.factor", "3");
        GOOD.put("groups", "billing");
        GOOD.put("groups.sync.interval.ms", "1000");
        GOOD.put("link.name", "orders-link");
        GOOD.put("http.host", "0.0.0.0");
        GOOD.put("http.port", "8081");
        GOOD.put("http.auth.token.file", "TOKEN_FILE");
        GOOD.put("gates.lag.max.records", "10");
        GOOD.put("gates.lag.max.ms", "10");
        GOOD.put("gates.stale.ms", "1000");
        GOOD.put("gates.evidence.file", "/tmp/evidence.jsonl");
        GOOD.put("gates.disabled", "capacity,data-parity");
        GOOD.put("gates.capacity.headroom", "50");
        GOOD.put("gates.rollback.max.age.ms", "86400000");
        GOOD.put("gates.parity.interval.ms", "10000");
        GOOD.put("gates.parity.samples", "8");
        GOOD.put("cutover.fence.max.ms", "1000");
        GOOD.put("cutover.fence.lag.max.records", "10");
        GOOD.put("cutover.fence.verify.ms", "10");
        GOOD.put("cutover.consumers.max.ms", "1000");
        GOOD.put("proxy.enabled", "true");
        GOOD.put("proxy.listen.host", "0.0.0.0");
        GOOD.put("proxy.listen.port", "9192");
        GOOD.put("proxy.broker.ports", "8");
        GOOD.put("proxy.advertised.host", "proxy.example");
        GOOD.put("proxy.listen.ssl.keystore.location", "/etc/strait/proxy.p12");
        GOOD.put("proxy.listen.ssl.keystore.password", SECRET);
        GOOD.put("proxy.listen.ssl.keystore.type", "JKS");
        GOOD.put("replication.queue.max.bytes", "65536");
        GOOD.put("replication.batch.max.records", "100");
        GOOD.put("replication.pipelines", "2");
        GOOD.put("replication.path", "record");
    }

    /** One bad line, and what the one error line must say after {@code config: <key>: }. */
    record Bad(String key, String value, String says) {
        @Override
        public String toString() {
            return key + "=" + (value.length() > 30 ? value.substring(0, 30) + "..." : value);
        }
    }

    static List<Bad> badValues() {
        List<Bad> bad = new ArrayList<>();
        for (String side : List.of("source", "target")) {
            String key = side + ".bootstrap.servers";
            bad.add(new Bad(key, "", "must not be empty"));
            bad.add(new Bad(key, "kafka", "'kafka' is not host:port"));
            bad.add(new Bad(key, "kafka:http", "'kafka:http' is not host:port"));
            bad.add(new Bad(key, "kafka:9092,,other:9092", "has an empty entry"));
            bad.add(new Bad(key, "kafka:0", "has port 0, not 1 to 65535"));
            bad.add(new Bad(key, "kafka:65536", "has port 65536, not 1 to 65535"));
            bad.add(new Bad(key, "kafka:99999999999999999999", "port out of range"));
        }
        bad.add(new Bad("topics", "", "must be a non-empty Java regex"));
        bad.add(new Bad("topics", "orders(", "is not a valid Java regex"));
        bad.add(new Bad("topics.exclude", "[orders", "is not a valid Java regex"));
        bad.add(new Bad("groups", "", "must be a non-empty Java regex"));
        bad.add(new Bad("groups", "*billing", "is not a valid Java regex"));
        bad.add(new Bad("target.replication.factor", "0", "must be -1 (target default) or at least 1"));
        bad.add(new Bad("target.replication.factor", "-2", "must be -1 (target default) or at least 1"));
        bad.add(new Bad("link.name", "has space", "must be 1 to 200 of the characters"));
        bad.add(new Bad("link.name", "a/b", "must be 1 to 200 of the characters"));
        bad.add(new Bad("link.name", "l".repeat(201), "must be 1 to 200 of the characters"));
        bad.add(new Bad("http.host", "", "must be non-empty"));
        bad.add(new Bad("http.auth.token.file", "", "must be non-empty"));
        bad.add(new Bad("http.auth.token.file", "MISSING_FILE", "does not exist"));
        bad.add(new Bad("http.auth.token.file", "DIRECTORY", "is a directory, not a file"));
        bad.add(new Bad("http.auth.token.file", "EMPTY_FILE", "is empty"));
        bad.add(new Bad("gates.evidence.file", "", "must be non-empty"));
        bad.add(new Bad("gates.disabled", "capactiy", "names an unknown gate 'capactiy'; the gates are lag,"));
        bad.add(new Bad("gates.disabled", "lag,everything", "names an unknown gate 'everything'"));
        bad.add(new Bad("gates.capacity.headroom", "-1", "value must be at least 0"));
        bad.add(new Bad("gates.capacity.headroom", "lots", "is not a valid double"));
        bad.add(new Bad("proxy.enabled", "yes", "is not a valid boolean"));
        bad.add(new Bad("proxy.enabled", "1", "is not a valid boolean"));
        bad.add(new Bad("proxy.listen.host", "", "must be non-empty"));
        bad.add(new Bad("proxy.advertised.host", "", "must be non-empty"));
        bad.add(new Bad("proxy.listen.ssl.keystore.location", "", "must be non-empty"));
        bad.add(new Bad("proxy.listen.ssl.keystore.password", "", "[hidden]"));
        bad.add(new Bad("proxy.listen.ssl.keystore.type", "PEM", "string must be one of: PKCS12, JKS"));
        bad.add(new Bad("replication.path", "fast", "string must be one of: auto, record"));
        // Numbers: below and above each key's range (from the declaration), and every kind of non-number.
        for (ConfigDef.ConfigKey key : StraitConfig.CONFIG_DEF.configKeys().values()) {
            if (!isNumber(key)) {
                continue;
            }
            String type = key.type.name().toLowerCase(java.util.Locale.ROOT);
            for (String notANumber : List.of("soon", "1.5", "0x10", "99999999999999999999", "1e3", "")) {
                bad.add(new Bad(key.name, notANumber, "is not a valid " + type));
            }
            String range = String.valueOf(key.validator);
            java.util.regex.Matcher bounds = java.util.regex.Pattern.compile("\\[(-?\\d+),\\.\\.\\.(?:,(\\d+))?]")
                    .matcher(range);
            if (bounds.matches()) {
                long min = Long.parseLong(bounds.group(1));
                bad.add(new Bad(key.name, String.valueOf(min - 1), "value must be at least " + min));
                if (bounds.group(2) != null) {
                    long max = Long.parseLong(bounds.group(2));
                    bad.add(new Bad(key.name, String.valueOf(max + 1), "value must be no more than " + max));
                }
            }
        }
        // Client keys: typed by Kafka's clients; secrets never echoed.
        bad.add(new Bad("source.request.timeout.ms", "soon", "'soon' is not a valid int"));
        bad.add(new Bad("target.enable.idempotence", "perhaps", "'perhaps' is not a valid boolean"));
        bad.add(new Bad("source.sasl.jaas.config", "not a jaas config " + SECRET, "[hidden] is not a valid JAAS"));
        bad.add(new Bad(
                "target.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"" + SECRET + "\"",
                "[hidden] is not a valid JAAS"));
        bad.add(new Bad(
                "source.sasl.jaas.config",
                "a.B required p=\"" + SECRET + "\"; c.D required p=\"" + SECRET + "\";",
                "[hidden] is not a valid JAAS"));
        // Unknown keys: typos and keys of other tools.
        bad.add(new Bad("topcs", "orders", "unknown key"));
        bad.add(new Bad("http.prot", "8080", "unknown key"));
        bad.add(new Bad("source_bootstrap_servers", "a:1", "unknown key"));
        bad.add(new Bad("replication.factor", "3", "unknown key"));
        bad.add(new Bad("bootstrap.servers", "a:1", "unknown key"));
        return bad;
    }

    private static boolean isNumber(ConfigDef.ConfigKey key) {
        return key.type == ConfigDef.Type.INT || key.type == ConfigDef.Type.LONG || key.type == ConfigDef.Type.SHORT;
    }

    @Test
    void theTableHasABadValueForEveryKeyAndARangeCaseForEveryBoundedNumber() {
        Set<String> declared = new TreeSet<>(StraitConfig.CONFIG_DEF.names());
        Set<String> covered = badValues().stream().map(Bad::key).collect(Collectors.toCollection(TreeSet::new));
        assertThat(covered).containsAll(declared);
        assertThat(GOOD.keySet()).containsExactlyInAnyOrderElementsOf(declared);
        for (ConfigDef.ConfigKey key : StraitConfig.CONFIG_DEF.configKeys().values()) {
            if (isNumber(key)) {
                assertThat(badValues())
                        .as("an out-of-range case of %s", key.name)
                        .anySatisfy(b -> {
                            assertThat(b.key()).isEqualTo(key.name);
                            assertThat(b.says()).containsAnyOf("value must be at least", "or at least 1");
                        });
            }
        }
    }

    @Test
    void everyGoodValueTogetherIsValid() throws IOException {
        assertThat(validate(file(GOOD, List.of()))).as(stderr()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void aBadValueIsOneLineNamingTheKeyAndExits2InValidateAndRun(Bad bad) throws IOException {
        Map<String, String> props = minimal();
        props.put(bad.key(), bad.value());
        Path file = file(props, List.of());

        for (String command : List.of("validate", "run")) {
            int code = cli(command, file);

            assertThat(code).as("%s exit code; stderr: %s", command, stderr()).isEqualTo(2);
            assertThat(stderrLines()).as(command).hasSize(1);
            assertThat(stderrLines().get(0))
                    .as(command)
                    .startsWith("config: " + bad.key() + ": ")
                    .contains(bad.says());
            assertNoTraceNorSecret(command);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("declaredKeys")
    void aKeySetTwiceIsOneLineNamingItWithoutEitherValue(String key) throws IOException {
        Map<String, String> props = minimal();
        props.put(key, good(key));
        String again = key.endsWith("password") || key.endsWith("jaas.config") ? "other-" + good(key) : good(key);
        Path file = file(props, List.of(key + "=" + again));

        for (String command : List.of("validate", "run")) {
            assertThat(cli(command, file))
                    .as("%s; stderr: %s", command, stderr())
                    .isEqualTo(2);
            assertThat(stderrLines())
                    .as(command)
                    .containsExactly("config: " + key + ": set more than once in " + file + "; keep one line");
            assertNoTraceNorSecret(command);
        }
    }

    private static String good(String key) {
        return switch (key) {
            case "source.sasl.jaas.config" ->
                "org.apache.kafka.common.security.plain.PlainLoginModule required " + "username=\"u\" password=\""
                        + SECRET + "\";";
            case "target.ssl.keystore.password" -> SECRET;
            default -> GOOD.get(key);
        };
    }

    static Stream<String> declaredKeys() {
        return Stream.concat(
                StraitConfig.CONFIG_DEF.names().stream().sorted(),
                Stream.of("source.sasl.jaas.config", "target.ssl.keystore.password"));
    }

    @Test
    void everyProblemOfAFileIsReportedAtOnceOneLineEach() throws IOException {
        Map<String, String> props = minimal();
        props.put("http.port", "http");
        props.put("gates.stale.ms", "1");
        props.put("topcs", "x");
        props.remove("topics");

        assertThat(validate(file(props, List.of()))).isEqualTo(2);
        assertThat(stderrLines())
                .containsExactlyInAnyOrder(
                        "config: topics: required but missing",
                        "config: http.port: 'http' is not a valid int",
                        "config: gates.stale.ms: '1' value must be at least 100",
                        "config: topcs: unknown key (client settings go under source. or target.)");
    }

    @Test
    void anEmptyFileSaysSoAndNamesTheRequiredKeys() throws IOException {
        Path file = Files.writeString(dir.resolve("empty.properties"), "\n  \n");

        expectOneLine(
                file,
                file + ": is empty (a configuration needs at least source.bootstrap.servers, "
                        + "target.bootstrap.servers and topics)");
    }

    @Test
    void aBinaryFileIsRefusedAsOne() throws IOException {
        Path file = Files.write(dir.resolve("strait.jar"), new byte[] {'P', 'K', 3, 4, 0, 0, (byte) 0xff, '=', 1});

        expectOneLine(file, file + ": is a binary file, not a properties file");
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedAsOne() throws IOException {
        Path file = Files.write(
                dir.resolve("latin1.properties"), "topics=caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        expectOneLine(file, file + ": is not UTF-8 text");
    }

    @Test
    void aMalformedUnicodeEscapeIsOneLine() throws IOException {
        Path file = Files.writeString(dir.resolve("escape.properties"), "topics=\\u00zz\n");

        expectOneLine(file, file + ": cannot be read as a properties file (Malformed \\uxxxx encoding.)");
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("absent.properties");

        expectOneLine(file, file + ": no such file");
    }

    @Test
    void aDirectoryIsNotAConfigFile() {
        expectOneLine(dir, dir + ": is a directory, not a properties file");
    }

    @Test
    void anUnreadableFileIsNamed() throws IOException {
        Path file = file(minimal(), List.of());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        // As root, chmod 000 does not stop a read: there is no honest unreadable file to try (a directory in its
        // place is aDirectoryIsNotAConfigFile).
        assumeFalse(Files.isReadable(file), "running as root: a file with mode 000 is still readable");

        expectOneLine(file, file + ": cannot be read (permission denied)");
    }

    private void expectOneLine(Path file, String line) {
        for (String command : List.of("validate", "run")) {
            assertThat(cli(command, file)).as(command + ": " + stderr()).isEqualTo(2);
            assertThat(stderrLines()).as(command).containsExactly("config: " + line);
            assertNoTraceNorSecret(command);
        }
    }

    private void assertNoTraceNorSecret(String command) {
        assertThat(stderr() + out)
                .as(command)
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("at strait.")
                .doesNotContain(SECRET);
    }

    private Map<String, String> minimal() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("source.bootstrap.servers", GOOD.get("source.bootstrap.servers"));
        props.put("target.bootstrap.servers", GOOD.get("target.bootstrap.servers"));
        props.put("topics", GOOD.get("topics"));
        return props;
    }

    /** The lines of a properties file; placeholders become files in the temp directory. */
    private Path file(Map<String, String> props, List<String> extraLines) throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "t0ken\n");
        Path emptyToken = Files.writeString(dir.resolve("empty-token"), "  \n");
        Path directory = Files.createDirectories(dir.resolve("a-directory"));
        List<String> lines = new ArrayList<>();
        props.forEach((key, value) -> lines.add(key + "="
                + value.replace("TOKEN_FILE", token.toString())
                        .replace("MISSING_FILE", dir.resolve("no-such-token").toString())
                        .replace("EMPTY_FILE", emptyToken.toString())
                        .replace("DIRECTORY", directory.toString())));
        lines.addAll(extraLines);
        Path file = Files.createTempFile(dir, "strait", ".properties");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int validate(Path file) {
        return cli("validate", file);
    }

    private int cli(String command, Path file) {
        out.reset();
        err.reset();
        return Main.run(
                new String[] {command, "--config", file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private List<String> stderrLines() {
        return stderr().lines().toList();
    }
}

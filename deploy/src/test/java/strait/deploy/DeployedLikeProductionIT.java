package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import strait.embedded.SharedClusters;

/**
 * The packaged jar starts exactly as the systemd unit and the Kubernetes Deployment start it: their command line,
 * their environment, their working directory and their config and secret files, against the embedded clusters, and
 * serves {@code /health}.
 *
 * <p>Only what cannot exist here is moved: {@code /opt/strait}, {@code /etc/strait} and {@code /var/lib/strait} become
 * temp directories, the bootstrap servers become the embedded clusters', the HTTP port a free one, and the security
 * protocol PLAINTEXT (the SASL and TLS settings stay in the file and are passed on, as docs/contract.md says, so the
 * {@code ${file:...}} credentials are still resolved from the Secret's files).
 */
class DeployedLikeProductionIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    /** A value of the Secret that must never be printed. */
    private static final String SECRET_MARKER = "CHANGE-ME-source-password";

    @TempDir
    Path dir;

    @Test
    void theImageCopiesAJarThePackagePhaseBuilt() throws IOException {
        String copy = DeployFiles.words(
                        DeployFiles.dockerInstructions("COPY").get(0).replaceAll("--[a-z]+=\\S+", ""))
                .get(0);
        Path jar = DeployFiles.DEPLOY.resolve(copy);

        assertThat(jar).isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(Main.class.getName());
        }
    }

    @Test
    void startedAsTheSystemdUnitStartsItItServesHealth() throws Exception {
        Layout layout = layout(DeployFiles.read(DeployFiles.CONFIG_DIR.resolve("sasl-ssl-scram.properties")));
        Map<String, String> env = DeployFiles.environmentFile(DeployFiles.SYSTEMD_ENV);
        List<String> command = new ArrayList<>();
        for (String word : DeployFiles.words(DeployFiles.unitValue("Service", "ExecStart"))) {
            if (word.equals("$JAVA_OPTS")) {
                command.addAll(DeployFiles.words(env.get("JAVA_OPTS")));
            } else {
                command.add(layout.path(word));
            }
        }
        command.set(0, java());
        Path workDir = Path.of(layout.path(DeployFiles.unitValue("Service", "WorkingDirectory")));

        assertServesHealthAndStopsCleanly(command, env, workDir, layout);
    }

    @Test
    void startedAsTheKubernetesDeploymentStartsItItServesHealth() throws Exception {
        Layout layout = layout(DeployFiles.configMapProperties());
        JsonNode container = DeployFiles.container();
        Map<String, String> env = new LinkedHashMap<>();
        container
                .path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        List<String> command = new ArrayList<>(DeployFiles.dockerExecForm("ENTRYPOINT"));
        DeployFiles.strings(container.path("args")).forEach(command::add);
        command.replaceAll(layout::path);
        command.set(0, java());
        Path workDir =
                Path.of(layout.path(DeployFiles.dockerInstructions("WORKDIR").get(0)));

        assertServesHealthAndStopsCleanly(command, env, workDir, layout);
    }

    private void assertServesHealthAndStopsCleanly(
            List<String> command, Map<String, String> env, Path workDir, Layout layout) throws Exception {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        // systemd and the kubelet start the process with the unit's or container's environment, not a login shell's.
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            var health = awaitHealth(process, layout.port(), err, Duration.ofSeconds(90));

            assertThat(health.body()).contains("UP");
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS))
                    .as("stops within 30 s of SIGTERM")
                    .isTrue();
            assertThat(process.exitValue())
                    .as("exit code the unit counts as success")
                    .isIn(0, 143);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        String printed = Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8);
        assertThat(printed).doesNotContain(SECRET_MARKER).doesNotContain("\tat ");
    }

    /** Polls GET /health until 200; fails at once, with its stderr, when the process exits first. */
    private static java.net.http.HttpResponse<String> awaitHealth(
            Process process, int port, Path stderr, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("strait exited with " + process.exitValue() + " before serving /health: "
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            try {
                var response = StraitProcess.get("http://127.0.0.1:" + port + "/health");
                if (response.statusCode() == 200) {
                    return response;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = "not listening: " + e.getClass().getSimpleName();
            }
            process.waitFor(200, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("GET /health did not answer 200 within " + timeout + "; last: " + last);
    }

    /** The production layout moved into temp directories, with the Secret's files and a config rewritten for here. */
    private record Layout(Path root, int port) {
        String path(String productionPath) {
            for (String prefix : List.of("/opt/strait", "/etc/strait", "/var/lib/strait")) {
                if (productionPath.equals(prefix) || productionPath.startsWith(prefix + "/")) {
                    return root + productionPath;
                }
            }
            return productionPath;
        }
    }

    private Layout layout(String properties) throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        Layout layout = new Layout(root, freePort());
        Path jar = Path.of(layout.path(DeploymentLayoutTest.JAR));
        Files.createDirectories(jar.getParent());
        Files.copy(StraitProcess.JAR, jar);
        Path secrets = Files.createDirectories(Path.of(layout.path(DeploymentLayoutTest.SECRETS)));
        for (Map.Entry<String, String> file : DeployFiles.secretFiles().entrySet()) {
            Files.writeString(secrets.resolve(file.getKey()), file.getValue());
        }
        Files.createDirectories(Path.of(layout.path(DeploymentLayoutTest.STATE)));

        List<String> lines = new ArrayList<>();
        for (String line : properties.lines().toList()) {
            String key =
                    line.contains("=") ? line.substring(0, line.indexOf('=')).strip() : "";
            lines.add(
                    switch (key) {
                        case "source.bootstrap.servers" -> key + "=" + CLUSTERS.sourceBootstrapServers();
                        case "target.bootstrap.servers" -> key + "=" + CLUSTERS.targetBootstrapServers();
                        case "source.security.protocol", "target.security.protocol" -> key + "=PLAINTEXT";
                        case "target.replication.factor" -> key + "=1";
                        case "http.port" -> key + "=" + layout.port();
                        default ->
                            line.replace("/etc/strait", root + "/etc/strait")
                                    .replace("/var/lib/strait", root + "/var/lib/strait");
                    });
        }
        Files.write(Path.of(layout.path(DeploymentLayoutTest.CONFIG)), lines, StandardCharsets.UTF_8);
        return layout;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("0.0.0.0", 0));
            return socket.getLocalPort();
        }
    }
}

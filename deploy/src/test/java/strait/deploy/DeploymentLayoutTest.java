package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import strait.config.StraitConfig;

/**
 * The container image, the Kubernetes Deployment and the systemd unit run the same jar with the same command and the
 * same file layout, and the Deployment follows the rules a single-writer sidecar needs.
 */
class DeploymentLayoutTest {

    static final String JAR = "/opt/strait/strait.jar";
    static final String CONFIG = "/etc/strait/strait.properties";
    static final String SECRETS = "/etc/strait/secrets";
    static final String STATE = "/var/lib/strait";
    static final List<String> JAR_ARGS = List.of("run", "--config", CONFIG);

    @TempDir
    Path dir;

    // ---- the image -------------------------------------------------------------------------------------------------

    @Test
    void theImageCopiesTheJarTheBuildProducesToTheJarPathItRuns() {
        List<String> copies = DeployFiles.dockerInstructions("COPY");
        assertThat(copies).hasSize(1);
        List<String> words = DeployFiles.words(copies.get(0).replaceAll("--[a-z]+=\\S+", ""));

        // The build context is deploy/, so the source is deploy/target/strait.jar: the shade plugin's finalName.
        assertThat(words).containsExactly(StraitProcess.JAR.toString(), JAR);
        assertThat(DeployFiles.read(DeployFiles.DEPLOY.resolve("pom.xml"))).contains("<finalName>strait</finalName>");
        assertThat(DeployFiles.read(DeployFiles.DEPLOY.resolve(".dockerignore")).lines())
                .contains("!" + StraitProcess.JAR);
    }

    @Test
    void theImageRunsTheJarWithTheConfigAsANonRootUser() {
        assertThat(DeployFiles.read(DeployFiles.DOCKERFILE)).contains("FROM eclipse-temurin:17-jre");
        assertThat(DeployFiles.dockerExecForm("ENTRYPOINT")).containsExactly("java", "-jar", JAR);
        assertThat(DeployFiles.dockerExecForm("CMD")).isEqualTo(JAR_ARGS);
        assertThat(DeployFiles.dockerInstructions("USER"))
                .singleElement()
                .satisfies(user -> assertThat(user).matches("[1-9][0-9]*(:[1-9][0-9]*)?"));
        assertThat(DeployFiles.dockerInstructions("EXPOSE"))
                .containsExactly(DeployFiles.properties(DeployFiles.configMapProperties())
                        .getProperty(StraitConfig.HTTP_PORT));
    }

    // ---- Kubernetes
    // --------------------------------------------------------------------------------------------------

    @Test
    void theContainerRunsTheImagesEntrypointWithTheSameArgumentsAndUser() {
        JsonNode container = DeployFiles.container();
        JsonNode pod = DeployFiles.kubernetes("Deployment").at("/spec/template/spec");
        String imageUser = DeployFiles.dockerInstructions("USER").get(0).split(":")[0];

        assertThat(container.has("command"))
                .as("no command: the image's ENTRYPOINT runs")
                .isFalse();
        assertThat(DeployFiles.strings(container.path("args"))).isEqualTo(DeployFiles.dockerExecForm("CMD"));
        assertThat(pod.at("/securityContext/runAsUser").asText()).isEqualTo(imageUser);
    }

    @Test
    void theConfigMapIsMountedAtTheConfigPathAndTheSecretAtTheSecretsDirectory() {
        JsonNode container = DeployFiles.container();
        JsonNode config = mount(container, CONFIG);
        String configMapKey =
                DeployFiles.kubernetes("ConfigMap").path("data").fieldNames().next();

        assertThat(config.path("subPath").asText()).isEqualTo(configMapKey);
        assertThat(volume(config.path("name").asText()).at("/configMap/name").asText())
                .isEqualTo(
                        DeployFiles.kubernetes("ConfigMap").at("/metadata/name").asText());
        assertThat(volume(mount(container, SECRETS).path("name").asText())
                        .at("/secret/secretName")
                        .asText())
                .isEqualTo(DeployFiles.kubernetes("Secret").at("/metadata/name").asText());
        assertThat(mount(container, SECRETS).path("readOnly").asBoolean()).isTrue();
    }

    @Test
    void oneReplicaIsReplacedByRecreateNeverRunningTwoWriters() {
        JsonNode spec = DeployFiles.kubernetes("Deployment").path("spec");

        assertThat(spec.path("replicas").asInt()).isEqualTo(1);
        assertThat(spec.at("/strategy/type").asText()).isEqualTo("Recreate");
    }

    @Test
    void everyProbeHitsHealthOnThePortTheConfigMapConfigures() {
        JsonNode container = DeployFiles.container();
        Properties props = DeployFiles.properties(DeployFiles.configMapProperties());
        int port = Integer.parseInt(props.getProperty(StraitConfig.HTTP_PORT));
        List<String> probes = List.of("livenessProbe", "readinessProbe", "startupProbe");

        assertThat(container.has("livenessProbe") && container.has("readinessProbe"))
                .isTrue();
        for (String name : probes) {
            JsonNode probe = container.path(name);
            if (probe.isMissingNode()) {
                continue;
            }
            assertThat(probe.at("/httpGet/path").asText()).as(name).isEqualTo("/health");
            assertThat(containerPort(container, probe.at("/httpGet/port")))
                    .as(name + " port")
                    .isEqualTo(port);
        }
        assertThat(props.getProperty(StraitConfig.HTTP_HOST)).isEqualTo("0.0.0.0");
    }

    @Test
    void theServiceAndPrometheusAnnotationsReachTheSamePort() {
        JsonNode container = DeployFiles.container();
        JsonNode service = DeployFiles.kubernetes("Service");
        JsonNode template = DeployFiles.kubernetes("Deployment").at("/spec/template");
        int port = Integer.parseInt(
                DeployFiles.properties(DeployFiles.configMapProperties()).getProperty(StraitConfig.HTTP_PORT));

        assertThat(containerPort(container, service.at("/spec/ports/0/targetPort")))
                .isEqualTo(port);
        service.at("/spec/selector")
                .fields()
                .forEachRemaining(label -> assertThat(template.path("metadata")
                                .path("labels")
                                .path(label.getKey())
                                .asText())
                        .isEqualTo(label.getValue().asText()));
        JsonNode annotations = template.at("/metadata/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(port));
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
    }

    @Test
    void thePodRunsNonRootOnAReadOnlyRootWithAWritableTmpAndStateDirectory() {
        JsonNode container = DeployFiles.container();
        JsonNode pod = DeployFiles.kubernetes("Deployment").at("/spec/template/spec");
        String evidence =
                DeployFiles.properties(DeployFiles.configMapProperties()).getProperty(StraitConfig.GATES_EVIDENCE_FILE);

        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
                .isFalse();
        assertThat(volume(mount(container, "/tmp").path("name").asText()).has("emptyDir"))
                .isTrue();
        assertThat(evidence).startsWith(STATE + "/");
        assertThat(mount(container, STATE).path("readOnly").asBoolean(false)).isFalse();
    }

    @Test
    void theContainerHasResourceRequestsAndLimits() {
        JsonNode resources = DeployFiles.container().path("resources");

        for (String kind : List.of("requests", "limits")) {
            assertThat(resources.at("/" + kind + "/cpu").asText())
                    .as(kind + " cpu")
                    .isNotBlank();
            assertThat(resources.at("/" + kind + "/memory").asText())
                    .as(kind + " memory")
                    .isNotBlank();
        }
    }

    // ---- systemd
    // -----------------------------------------------------------------------------------------------------

    @Test
    void theUnitRunsTheSameCommandAsTheImageWithJavaOptsFromItsEnvironmentFile() {
        List<String> exec = DeployFiles.words(DeployFiles.unitValue("Service", "ExecStart"));
        List<String> image = new ArrayList<>(DeployFiles.dockerExecForm("ENTRYPOINT"));
        image.addAll(DeployFiles.dockerExecForm("CMD"));

        assertThat(exec.get(0)).endsWith("/java");
        assertThat(exec.get(1)).isEqualTo("$JAVA_OPTS");
        assertThat(exec.subList(2, exec.size())).isEqualTo(image.subList(1, image.size()));
        assertThat(DeployFiles.unitValue("Service", "EnvironmentFile")).isEqualTo("/etc/strait/strait.env");
        assertThat(DeployFiles.environmentFile(DeployFiles.SYSTEMD_ENV)).containsKey("JAVA_OPTS");
    }

    @Test
    void theUnitRestartsOnFailureButNotOnABadConfigAndRunsUnprivileged() {
        assertThat(DeployFiles.unitValue("Service", "Restart")).isEqualTo("on-failure");
        assertThat(DeployFiles.words(DeployFiles.unitValue("Service", "RestartPreventExitStatus")))
                .contains(String.valueOf(Main.BAD_INPUT));
        assertThat(
                        DeployFiles.unitValues("Service", "User").isEmpty()
                                ? DeployFiles.unitValue("Service", "DynamicUser")
                                : DeployFiles.unitValue("Service", "User"))
                .isNotIn("root", "0", "no");
        assertThat(DeployFiles.unitValue("Service", "NoNewPrivileges")).isEqualTo("yes");
        assertThat(DeployFiles.unitValue("Service", "ProtectSystem")).isEqualTo("strict");
        assertThat(STATE).isEqualTo("/var/lib/" + DeployFiles.unitValue("Service", "StateDirectory"));
    }

    @Test
    void systemdAcceptsTheUnitWithoutWarnings() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeThat(Files.isExecutable(analyze)).as("systemd-analyze installed").isTrue();
        Path out = Files.createTempFile(dir, "verify", ".txt");

        Process verify = new ProcessBuilder(analyze.toString(), "verify", DeployFiles.SYSTEMD_UNIT.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // Lines about the host (no /usr/bin/java, no user strait here) are not the unit's fault.
        List<String> problems = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("strait.service"))
                .filter(l -> !l.contains("/usr/bin/java") && !l.contains("User"))
                .toList();
        assertThat(verify.exitValue()).as(String.join("\n", problems)).isZero();
        assertThat(problems).isEmpty();
    }

    @Test
    void theExamplesWriteEvidenceWhereTheUnitAndThePodHaveAWritableDirectory() throws Exception {
        Pattern evidence = Pattern.compile("(?m)^gates\\.evidence\\.file=(.*)$");
        List<Path> examples;
        try (var files = Files.list(DeployFiles.CONFIG_DIR)) {
            examples = files.filter(f -> f.toString().endsWith(".properties")).toList();
        }
        List<String> files = new ArrayList<>();
        for (Path example : examples) {
            Matcher m = evidence.matcher(DeployFiles.read(example));
            while (m.find()) {
                files.add(m.group(1).strip());
            }
        }
        assertThat(files).isNotEmpty().allSatisfy(file -> assertThat(file).startsWith(STATE + "/"));
    }

    // ---- helpers
    // -----------------------------------------------------------------------------------------------------

    private static JsonNode mount(JsonNode container, String path) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (path.equals(mount.path("mountPath").asText())) {
                return mount;
            }
        }
        throw new AssertionError("nothing is mounted at " + path);
    }

    private static JsonNode volume(String name) {
        for (JsonNode volume : DeployFiles.kubernetes("Deployment").at("/spec/template/spec/volumes")) {
            if (name.equals(volume.path("name").asText())) {
                return volume;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    /** A probe's or Service's port, a number or the name of one of the container's ports. */
    private static int containerPort(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode declared : container.path("ports")) {
            if (port.asText().equals(declared.path("name").asText())) {
                return declared.path("containerPort").asInt();
            }
        }
        throw new AssertionError("the container declares no port named " + port.asText());
    }
}

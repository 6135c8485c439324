package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import strait.config.StraitConfig;

/**
 * The example configurations of {@code deploy/config} and the Kubernetes ConfigMap are valid as shipped, keep secrets
 * out of the file, and their {@code ${file:...}} placeholders resolve in Kafka's clients through plain pass-through.
 */
class ExampleConfigsTest {

    private static final String SECRETS_DIR = "/etc/strait/secrets";

    @TempDir
    Path dir;

    static Stream<Path> examples() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(DeployFiles.CONFIG_DIR)) {
            files = list.filter(f -> f.toString().endsWith(".properties"))
                    .sorted()
                    .toList();
        }
        assertThat(files)
                .extracting(f -> f.getFileName().toString())
                .contains("plaintext.properties", "sasl-ssl-scram.properties", "mtls.properties");
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsAcceptedByValidateAsShippedWithTheSecretsInPlace(Path example) throws IOException {
        // validate checks that the files a config names exist (http.auth.token.file): the Secret's files as the pod
        // sees them, the secrets directory moved into a temp dir.
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        for (Map.Entry<String, String> file : DeployFiles.secretFiles().entrySet()) {
            Files.writeString(secrets.resolve(file.getKey()), file.getValue());
        }
        Path config = dir.resolve(example.getFileName());
        Files.writeString(config, DeployFiles.read(example).replace(SECRETS_DIR, secrets.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = Main.run(
                new String[] {"validate", "--config", config.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code)
                .as("exit code; stderr: %s", err.toString(StandardCharsets.UTF_8))
                .isZero();
    }

    @Test
    void theConfigMapPropertiesAreValid() {
        Properties props = DeployFiles.properties(DeployFiles.configMapProperties());

        StraitConfig config = StraitConfig.parse(props);

        assertThat(config.getString(StraitConfig.HTTP_HOST))
                .as("reachable by probes and Prometheus")
                .isEqualTo("0.0.0.0");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void noExampleWritesASecretInline(Path example) {
        Properties props = DeployFiles.properties(DeployFiles.read(example));

        props.stringPropertyNames().stream()
                .filter(key -> key.endsWith(".password") || key.endsWith("sasl.jaas.config"))
                .forEach(key -> assertThat(props.getProperty(key)).as(key).startsWith("${file:" + SECRETS_DIR + "/"));
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleTopicRegexKeepsItsLiteralDot(Path example) {
        StraitConfig config = StraitConfig.parse(DeployFiles.properties(DeployFiles.read(example)));

        // A single backslash in a properties file is eaten by the loader: "orders\..*" would become "orders..*".
        assertThat(config.topics().matcher("orders.created").matches()).isTrue();
        assertThat(config.topics().matcher("ordersXcreated").matches()).isFalse();
    }

    @Test
    void fileProviderPlaceholdersResolveInEveryKafkaClientOfBothSides() throws IOException {
        // The ConfigMap and the Secret as the pod sees them, the secrets directory moved into a temp dir.
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        for (Map.Entry<String, String> file : DeployFiles.secretFiles().entrySet()) {
            Files.writeString(secrets.resolve(file.getKey()), file.getValue());
        }
        String properties = DeployFiles.configMapProperties().replace(SECRETS_DIR, secrets.toString());
        StraitConfig config = StraitConfig.parse(DeployFiles.properties(properties));
        Properties credentials =
                DeployFiles.properties(DeployFiles.secretFiles().get("credentials.properties"));

        List<String> resolved = new ArrayList<>();
        for (Map<String, Object> side : List.of(config.sourceClientProps(), config.targetClientProps())) {
            resolved.add(new AdminClientConfig(side)
                    .getPassword(SaslConfigs.SASL_JAAS_CONFIG)
                    .value());
            resolved.add(new ProducerConfig(withSerdes(
                            side,
                            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                            ByteArraySerializer.class))
                    .getPassword(SaslConfigs.SASL_JAAS_CONFIG)
                    .value());
            resolved.add(new ConsumerConfig(withSerdes(
                            side,
                            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                            ByteArrayDeserializer.class))
                    .getPassword(SaslConfigs.SASL_JAAS_CONFIG)
                    .value());
        }

        String source = credentials.getProperty("source.sasl.jaas.config");
        String target = credentials.getProperty("target.sasl.jaas.config");
        assertThat(source).contains("ScramLoginModule").isNotEqualTo(target);
        assertThat(resolved).containsExactly(source, source, source, target, target, target);
    }

    @Test
    void theConfigMapsSecretPathsAreAllInTheSecret() {
        Properties props = DeployFiles.properties(DeployFiles.configMapProperties());
        Properties credentials =
                DeployFiles.properties(DeployFiles.secretFiles().get("credentials.properties"));
        java.util.regex.Pattern placeholder =
                java.util.regex.Pattern.compile("\\$\\{file:" + SECRETS_DIR + "/([^:}]+):([^}]+)}");

        List<String> referenced = new ArrayList<>();
        for (String key : props.stringPropertyNames()) {
            String value = props.getProperty(key);
            var m = placeholder.matcher(value);
            while (m.find()) {
                assertThat(m.group(1)).as(key).isEqualTo("credentials.properties");
                assertThat(credentials)
                        .as("credentials.properties has %s", m.group(2))
                        .containsKey(m.group(2));
                referenced.add(m.group(2));
            }
            if (value.startsWith(SECRETS_DIR + "/")) {
                assertThat(DeployFiles.secretFiles())
                        .as("Secret has the file of %s", key)
                        .containsKey(value.substring(SECRETS_DIR.length() + 1));
            }
        }
        assertThat(referenced).contains("source.sasl.jaas.config", "target.sasl.jaas.config");
    }

    private static Map<String, Object> withSerdes(
            Map<String, Object> props, String keyKey, String valueKey, Class<?> serde) {
        Map<String, Object> copy = new java.util.HashMap<>(props);
        copy.put(keyKey, serde);
        copy.put(valueKey, serde);
        return copy;
    }
}

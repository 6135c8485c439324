package strait.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StraitConfigTest {

    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"s3cr3t-Pw\";";

    private static Map<String, String> minimal() {
        Map<String, String> props = new HashMap<>();
        props.put("source.bootstrap.servers", "src:9092");
        props.put("target.bootstrap.servers", "tgt:9092");
        props.put("topics", "orders\\..*");
        return props;
    }

    @Test
    void acceptsMinimalConfigAndAppliesContractDefaults() {
        StraitConfig config = StraitConfig.parse(minimal());

        assertThat(config.linkName()).isEqualTo("strait");
        assertThat(config.groups().pattern()).isEqualTo(".*");
        assertThat(config.getString(StraitConfig.HTTP_HOST)).isEqualTo("127.0.0.1");
        assertThat(config.getInt(StraitConfig.HTTP_PORT)).isEqualTo(8080);
        assertThat(config.getLong(StraitConfig.GATES_LAG_MAX_RECORDS)).isEqualTo(1000L);
        assertThat(config.getLong(StraitConfig.GATES_LAG_MAX_MS)).isEqualTo(5000L);
        assertThat(config.getLong(StraitConfig.GROUPS_SYNC_INTERVAL_MS)).isEqualTo(5000L);
        assertThat(config.topicsExclude()).isEmpty();
    }

    @Test
    void reportsUnknownMissingAndNonNumericKeysAllAtOnce() {
        Map<String, String> props = minimal();
        props.remove("topics");
        props.put("topcs", "x");
        props.put("gates.lag.max.records", "lots");

        assertThatThrownBy(() -> StraitConfig.parse(props))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.problems())
                                .hasSize(3)
                                .anySatisfy(p -> assertThat(p).startsWith("topics: required"))
                                .anySatisfy(p -> assertThat(p).startsWith("topcs: unknown key"))
                                .anySatisfy(p ->
                                        assertThat(p).startsWith("gates.lag.max.records: 'lots' is not a valid long")));
    }

    @Test
    void gatesDisabledTakesGateNamesAndEveryGateIsOnByDefault() {
        assertThat(StraitConfig.parse(minimal()).getList(StraitConfig.GATES_DISABLED))
                .isEmpty();
        Map<String, String> props = minimal();
        props.put("gates.disabled", "capacity, rollback");

        assertThat(StraitConfig.parse(props).getList(StraitConfig.GATES_DISABLED))
                .containsExactly("capacity", "rollback");
    }

    @Test
    void anUnknownGateInGatesDisabledIsAnErrorNamingItAndTheGatesThereAre() {
        Map<String, String> props = minimal();
        props.put("gates.disabled", "capacity,capactiy");

        assertThatThrownBy(() -> StraitConfig.parse(props))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.problems())
                                .singleElement()
                                .satisfies(p -> assertThat(p)
                                        .startsWith("gates.disabled: ")
                                        .contains("unknown gate 'capactiy'")
                                        .contains("the gates are lag, resume-points, topic-parity, producer-proxy,"
                                                + " capacity, rollback, data-parity, compatibility, inventory")));
    }

    @Test
    void rejectsInvalidRegexOutOfRangePortAndBadLinkName() {
        Map<String, String> props = minimal();
        props.put("topics", "orders(");
        props.put("http.port", "70000");
        props.put("link.name", "has space");

        assertThatThrownBy(() -> StraitConfig.parse(props))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.problems())
                                .anySatisfy(
                                        p -> assertThat(p).startsWith("topics: 'orders(' is not a valid Java regex"))
                                .anySatisfy(p -> assertThat(p).startsWith("http.port: '70000'"))
                                .anySatisfy(p -> assertThat(p).startsWith("link.name: 'has space'")));
    }

    @Test
    void passesClientKeysThroughToTheirSideOnly() {
        Map<String, String> props = minimal();
        props.put("source.security.protocol", "SASL_SSL");
        props.put("target.compression.type", "lz4");
        props.put("target.replication.factor", "3");

        StraitConfig config = StraitConfig.parse(props);

        assertThat(config.sourceClientProps())
                .containsEntry("bootstrap.servers", "src:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .doesNotContainKey("compression.type");
        assertThat(config.targetClientProps())
                .containsEntry("bootstrap.servers", "tgt:9092")
                .containsEntry("compression.type", "lz4")
                .doesNotContainKey("replication.factor");
        assertThat(config.getShort(StraitConfig.TARGET_REPLICATION_FACTOR)).isEqualTo((short) 3);
    }

    @Test
    void acceptsClientKeysThatDoNotApplyToTheChosenProtocol() {
        Map<String, String> props = minimal();
        props.put("source.security.protocol", "PLAINTEXT");
        props.put("source.sasl.jaas.config", JAAS);

        assertThat(StraitConfig.parse(props).sourceClientProps()).containsEntry("sasl.jaas.config", JAAS);
    }

    @Test
    void rejectsClientKeyOfWrongTypeNamingIt() {
        Map<String, String> props = minimal();
        props.put("target.linger.ms", "soon");

        assertThatThrownBy(() -> StraitConfig.parse(props))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.problems()).containsExactly("target.linger.ms: 'soon' is not a valid long"));
    }

    @Test
    void masksSecretsWhereverTheConfigIsShown() {
        Map<String, String> props = minimal();
        props.put("source.sasl.jaas.config", JAAS);
        props.put("target.ssl.keystore.password", "s3cr3t-Pw");
        props.put("target.ssl.key.password", "s3cr3t-Pw");
        props.put("source.sasl.oauthbearer.client.credentials.client.secret", "s3cr3t-Pw");

        Map<String, String> shown = StraitConfig.parse(props).masked();

        assertThat(shown.toString()).doesNotContain("s3cr3t-Pw").contains("src:9092");
        assertThat(shown).containsEntry("source.sasl.jaas.config", SecretMasker.MASK);
    }

    @Test
    void neverQuotesASecretValueInAnError() {
        Map<String, String> props = minimal();
        props.put("target.ssl.keystore.password", "");
        props.put("source.sasl.jaas.config", JAAS);
        props.put("source.sasl.login.refresh.window.factor", "s3cr3t-Pw");
        props.put("topics", "(s3cr3t-Pw");
        props.remove("target.bootstrap.servers");

        assertThatThrownBy(() -> StraitConfig.parse(props))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(String.join("\n", e.problems()))
                                .contains("target.bootstrap.servers")
                                .doesNotContain("PlainLoginModule"));
    }

    @Test
    void masksJaasFragmentsInLibraryMessages() {
        String message = "Could not login: " + JAAS;

        assertThat(SecretMasker.maskMessage(message)).doesNotContain("s3cr3t-Pw");
    }
}

package strait.gates.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.embedded.EmbeddedClusters;
import strait.embedded.Eventually;
import strait.embedded.SharedClusters;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.GateThresholds;
import strait.gates.Refreshed;
import strait.gates.TopicParity;
import strait.gates.TopicParityGate;

/**
 * The {@code compatibility} gate over the ACLs and quotas of two real KRaft clusters that authorize with
 * {@code StandardAuthorizer} (SASL/PLAIN), and of two that do not authorize at all. Each case uses its own
 * principal, topic and group, so the cases share the clusters.
 */
class CompatibilityGateIT {

    private static final String STRAIT = "strait";
    private static final String STRAIT_PASSWORD = "compat-secret";
    private static final GateThresholds LIMITS = new GateThresholds(1_000, 5_000, 30_000, false);

    @RegisterExtension
    static final SharedClusters UNSECURED = new SharedClusters();

    private static EmbeddedClusters secured;

    @BeforeAll
    static void start() {
        secured = EmbeddedClusters.startWithAuthorizer(Map.of(STRAIT, STRAIT_PASSWORD));
    }

    @AfterAll
    static void stop() {
        if (secured != null) {
            secured.close();
        }
    }

    @Test
    void passesWhenTheTargetGrantsTheSameThroughOtherPatternsAndHasTheSameQuotas() throws Exception {
        String topic = "compat-same-orders";
        String group = "compat-same-readers";
        try (Admin source = secured.sourceAdmin();
                Admin target = secured.targetAdmin()) {
            grant(source, "User:amy", ResourceType.TOPIC, "compat-same-", PatternType.PREFIXED, AclOperation.READ);
            grant(source, "User:amy", ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ);
            grant(target, "User:amy", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.ALL);
            grant(target, "User:*", ResourceType.GROUP, "compat-same-", PatternType.PREFIXED, AclOperation.READ);
            quota(source, "amy", 1_048_576);
            quota(target, "amy", 1_048_576);
        }

        CompatibilitySnapshot snapshot = readOnce(secured, Set.of(topic), Set.of(group), "User:amy");
        GateResult result = gate().evaluate(inputs(snapshot, topic), Instant.now());

        assertThat(result.passed()).as(result.reason()).isTrue();
        assertThat(snapshot.sourceAuthorizer()).isTrue();
        assertThat(snapshot.targetAuthorizer()).isTrue();
        assertThat(snapshot.quotaGapCount()).isZero();
        assertThat(snapshot.quotasCompared()).isPositive();
        assertThat(result.reason()).contains("hold on the target");
    }

    @Test
    void anAclOnTheSourceMissingOnTheTargetFailsNamingThePrincipalAndOperation() throws Exception {
        String topic = "compat-gap-orders";
        String group = "compat-gap-readers";
        try (Admin source = secured.sourceAdmin();
                Admin target = secured.targetAdmin()) {
            grant(source, "User:bob", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE);
            grant(source, "User:bob", ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ);
            // The target lets bob describe the topic, not write it, and knows nothing of his group.
            grant(target, "User:bob", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE);
            quota(source, "bob", 2_000_000);
        }

        CompatibilitySnapshot snapshot = readOnce(secured, Set.of(topic), Set.of(group), "User:bob");
        GateResult result = gate().evaluate(inputs(snapshot, topic), Instant.now());

        assertThat(result.passed()).isFalse();
        assertThat(snapshot.aclGaps())
                .extracting(AclGap::describe)
                .contains(
                        "User:bob may WRITE topic " + topic + " on the source but not on the target",
                        "User:bob may READ group " + group + " on the source but not on the target");
        assertThat(snapshot.quotaGaps())
                .extracting(QuotaGap::describe)
                .contains("quota producer_byte_rate of user=bob is 2000000.0 on the source, missing on the target");
        assertThat(result.reason()).contains("User:bob may").contains("on the source but not on the target");
        assertThat(result.evidence().getJsonArray("missingAcls")).isNotEmpty();
    }

    @Test
    void withoutDescribeOnTheClusterItFailsNamingTheAclItNeeds() {
        Map<String, Object> strait = EmbeddedClusters.saslClientProps(STRAIT, STRAIT_PASSWORD);
        CompatibilitySnapshot snapshot = readOnce(
                withBootstrap(strait, secured.sourceBootstrapServers()),
                withBootstrap(strait, secured.targetBootstrapServers()),
                Set.of("compat-denied"),
                Set.of());
        GateResult result = gate().evaluate(inputs(snapshot, "compat-denied"), Instant.now());

        assertThat(result.passed()).isFalse();
        assertThat(result.reason())
                .isEqualTo("not authorized to describe the source's ACLs: the compatibility gate needs Describe on the"
                        + " cluster resource (kafka-cluster) of both clusters; grant it, or set"
                        + " gates.disabled=compatibility")
                .doesNotContain(STRAIT_PASSWORD);
    }

    @Test
    void passesSayingSoWhenTheSourceHasNoAuthorizer() {
        CompatibilitySnapshot snapshot = readOnce(
                Map.of("bootstrap.servers", UNSECURED.sourceBootstrapServers()),
                Map.of("bootstrap.servers", UNSECURED.targetBootstrapServers()),
                Set.of("compat-open"),
                Set.of());
        GateResult result = gate().evaluate(inputs(snapshot, "compat-open"), Instant.now());

        assertThat(result.passed()).as(result.reason()).isTrue();
        assertThat(snapshot.sourceAuthorizer()).isFalse();
        assertThat(result.reason()).startsWith("the source has no authorizer: no ACLs to compare");
    }

    @Test
    void aTopicConfigDifferenceFailsItThroughTheTopicParityVerdict() {
        CompatibilitySnapshot snapshot = readOnce(
                Map.of("bootstrap.servers", UNSECURED.sourceBootstrapServers()),
                Map.of("bootstrap.servers", UNSECURED.targetBootstrapServers()),
                Set.of("compat-configs"),
                Set.of());
        GateInputs inputs = new GateInputs(
                Optional.empty(),
                Optional.empty(),
                Optional.of(Refreshed.of(
                        List.of(new TopicParity(
                                "compat-configs", true, 1, 1, List.of("retention.ms: 604800000 vs 86400000"))),
                        Instant.now())),
                Map.of(CompatibilityGate.ACLS_AND_QUOTAS, Refreshed.of(snapshot, Instant.now())));

        GateResult result = gate().evaluate(inputs, Instant.now());

        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).startsWith("topic configs (topic-parity): 1 of 1 topics differ");
    }

    private static CompatibilityGate gate() {
        return new CompatibilityGate(new TopicParityGate(LIMITS), 30_000);
    }

    private static CompatibilitySnapshot readOnce(
            EmbeddedClusters clusters, Set<String> topics, Set<String> groups, String principal) {
        Map<String, Object> admin = EmbeddedClusters.superUserClientProps();
        CompatibilitySnapshot snapshot = readOnce(
                withBootstrap(admin, clusters.sourceBootstrapServers()),
                withBootstrap(admin, clusters.targetBootstrapServers()),
                topics,
                groups);
        assertThat(snapshot.problem()).isEmpty();
        assertThat(snapshot.principals())
                .as("only %s holds ACLs on these names", principal)
                .isEqualTo(1);
        return snapshot;
    }

    private static CompatibilitySnapshot readOnce(
            Map<String, Object> sourceProps, Map<String, Object> targetProps, Set<String> topics, Set<String> groups) {
        try (CompatibilityReader reader = new CompatibilityReader(
                sourceProps, targetProps, () -> topics, () -> groups, Duration.ofHours(1), Clock.systemUTC())) {
            reader.start();
            Eventually.eventually(
                    "one read",
                    Duration.ofSeconds(60),
                    () -> reader.input().latest().isPresent());
            return reader.input().latest().orElseThrow().value();
        }
    }

    private static GateInputs inputs(CompatibilitySnapshot snapshot, String topic) {
        return new GateInputs(
                Optional.empty(),
                Optional.empty(),
                Optional.of(Refreshed.of(List.of(TopicParity.same(topic, 1)), Instant.now())),
                Map.of(CompatibilityGate.ACLS_AND_QUOTAS, Refreshed.of(snapshot, Instant.now())));
    }

    private static void grant(
            Admin admin, String principal, ResourceType type, String name, PatternType pattern, AclOperation op)
            throws Exception {
        admin.createAcls(List.of(new AclBinding(
                        new ResourcePattern(type, name, pattern),
                        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW))))
                .all()
                .get();
    }

    private static void quota(Admin admin, String user, double bytesPerSecond) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                        new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, user)),
                        List.of(new ClientQuotaAlteration.Op("producer_byte_rate", bytesPerSecond)))))
                .all()
                .get();
    }

    private static Map<String, Object> withBootstrap(Map<String, Object> props, String bootstrap) {
        Map<String, Object> all = new java.util.HashMap<>(props);
        all.put("bootstrap.servers", bootstrap);
        return all;
    }
}

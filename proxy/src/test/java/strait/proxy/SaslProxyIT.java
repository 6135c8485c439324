package strait.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.JaasUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import strait.embedded.EmbeddedClusters;

/**
 * The proxy never widens access: clients authenticate (SASL/PLAIN) against the upstream brokers through it and write
 * with their own principal and ACLs. The proxy itself logs in as the sidecar (the super user here) only to describe
 * the clusters at start. Clusters with KRaft's StandardAuthorizer, denying what no ACL allows.
 */
class SaslProxyIT {

    private static final String USER = "alice";
    private static final String PASSWORD = "alice-secret";
    private static final String ALLOWED = "alice-may-write";
    private static final String DENIED = "alice-may-not";
    private static final String SCRAM_USER = "bob";
    private static final String SCRAM_PASSWORD = "bob-secret";

    private static EmbeddedClusters clusters;
    private static TestProxies proxies;
    private static ProducerProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        clusters = EmbeddedClusters.startWithAuthorizer(Map.of(USER, PASSWORD));
        try (Admin admin = clusters.sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(ALLOWED, 2, (short) 1), new NewTopic(DENIED, 2, (short) 1)))
                    .all()
                    .get();
            admin.createAcls(List.of(new AclBinding(
                            new ResourcePattern(ResourceType.TOPIC, ALLOWED, PatternType.LITERAL),
                            new AccessControlEntry("User:" + USER, "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
                    .all()
                    .get();
        }
        clusters.createScramUser(SCRAM_USER, SCRAM_PASSWORD);
        for (Admin admin : List.of(clusters.sourceAdmin(), clusters.targetAdmin())) {
            try (admin) {
                admin.createAcls(List.of(new AclBinding(
                                new ResourcePattern(ResourceType.TOPIC, ALLOWED, PatternType.LITERAL),
                                new AccessControlEntry(
                                        "User:" + SCRAM_USER, "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
                        .all()
                        .get();
            }
        }
        try (Admin target = clusters.targetAdmin()) {
            target.createTopics(List.of(new NewTopic(ALLOWED, 2, (short) 1)))
                    .all()
                    .get();
        }
        proxies = new TestProxies();
        Map<String, String> sidecar = new HashMap<>();
        Map<String, Object> superUser = superUserProps();
        superUser.forEach((k, v) -> {
            sidecar.put("source." + k, v.toString());
            sidecar.put("target." + k, v.toString());
        });
        proxy = proxies.start(
                TestProxies.settings(clusters.sourceBootstrapServers(), clusters.targetBootstrapServers(), sidecar),
                ProduceHook.FORWARD);
    }

    /** The test kit's super user, standing for the sidecar's own credentials. */
    private static Map<String, Object> superUserProps() {
        return EmbeddedClusters.saslClientProps(EmbeddedClusters.SUPER_USER, JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (proxies != null) {
            proxies.close();
        }
        if (clusters != null) {
            clusters.close();
        }
    }

    @Test
    void aUserWithWriteOnOneTopicProducesToItThroughTheProxyAndIsRefusedOnAnother() throws Exception {
        try (KafkaProducer<String, String> producer = producer(PASSWORD)) {
            RecordMetadata written =
                    producer.send(new ProducerRecord<>(ALLOWED, "k", "v")).get();
            assertThat(written.offset()).isNotNegative();

            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(DENIED, "k", "v"))
                            .get())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aWrongPasswordFailsAuthenticationAtTheUpstreamBroker() {
        try (KafkaProducer<String, String> producer = producer("not-" + PASSWORD)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(ALLOWED, "k", "v"))
                            .get())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void aScramUserWritesThroughTheProxyWithItsOwnPrincipalOnTheSourceAndAfterTheSwitchOnTheTarget() throws Exception {
        Map<String, String> sidecar = new HashMap<>();
        superUserProps().forEach((k, v) -> {
            sidecar.put("source." + k, v.toString());
            sidecar.put("target." + k, v.toString());
        });
        ProducerProxy switching = proxies.start(
                TestProxies.settings(clusters.sourceBootstrapServers(), clusters.targetBootstrapServers(), sidecar),
                ProduceHook.FORWARD);
        try (KafkaProducer<String, String> producer =
                producer(switching, EmbeddedClusters.scramClientProps(SCRAM_USER, SCRAM_PASSWORD))) {
            long before = endOffsets(clusters.sourceAdmin());
            producer.send(new ProducerRecord<>(ALLOWED, 0, "k", "on the source"))
                    .get();
            assertThat(endOffsets(clusters.sourceAdmin())).isEqualTo(before + 1);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(DENIED, "k", "v"))
                            .get())
                    .cause()
                    .isInstanceOf(TopicAuthorizationException.class);

            switching.switchToTarget(mapping -> {});
            long targetBefore = endOffsets(clusters.targetAdmin());
            producer.send(new ProducerRecord<>(ALLOWED, 0, "k", "on the target"))
                    .get();
            assertThat(endOffsets(clusters.targetAdmin())).isEqualTo(targetBefore + 1);
        } finally {
            switching.close();
        }
    }

    private static long endOffsets(Admin admin) throws Exception {
        try (admin) {
            org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(ALLOWED, 0);
            return admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .all()
                    .get()
                    .get(tp)
                    .offset();
        }
    }

    private static KafkaProducer<String, String> producer(ProducerProxy through, Map<String, Object> login) {
        Properties props = new Properties();
        props.putAll(login);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, through.bootstrapAddress());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaProducer<String, String> producer(String password) {
        Properties props = new Properties();
        props.putAll(EmbeddedClusters.saslClientProps(USER, password));
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapAddress());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}

package strait.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clusters started by {@link EmbeddedClusters#startWithAuthorizer} authenticate with SASL/PLAIN and authorize with
 * KRaft's StandardAuthorizer: a user holds exactly the ACLs it was granted, which is what an ACL test of Strait needs.
 */
class AuthorizingClustersIT {

    private static final String USER = "strait";
    private static final String PASSWORD = "strait-secret";
    private static final String OTHER = "stranger";
    private static final String OTHER_PASSWORD = "stranger-secret";

    private static EmbeddedClusters clusters;

    @BeforeAll
    static void start() {
        clusters = EmbeddedClusters.startWithAuthorizer(Map.of(USER, PASSWORD, OTHER, OTHER_PASSWORD));
    }

    @AfterAll
    static void stop() {
        if (clusters != null) {
            clusters.close();
        }
    }

    @Test
    void aUserWithoutAclsIsDeniedAndReadsOnceGrantedRead() throws Exception {
        String topic = "acl-read-" + System.nanoTime();
        TopicPartition partition = new TopicPartition(topic, 0);
        try (Admin admin = clusters.sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        produce(clusters.sourceBootstrapServers(), topic, 10);

        try (var consumer = consumer(clusters.sourceBootstrapServers(), USER, PASSWORD)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            assertThatThrownBy(() -> pollUntil(consumer, 1, Duration.ofSeconds(30)))
                    .isInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(topic);
        }

        grant(clusters.sourceAdmin(), USER, topic, AclOperation.READ);

        try (var consumer = consumer(clusters.sourceBootstrapServers(), USER, PASSWORD)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            assertThat(pollUntilGranted(consumer, 10, Duration.ofSeconds(30))).hasSize(10);
        }
        try (var consumer = consumer(clusters.sourceBootstrapServers(), OTHER, OTHER_PASSWORD)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            assertThatThrownBy(() -> pollUntil(consumer, 1, Duration.ofSeconds(30)))
                    .as("an ACL for one user grants nothing to another")
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void theTargetClusterAuthorizesOnItsOwn() throws Exception {
        String topic = "acl-target-" + System.nanoTime();
        for (Admin admin : List.of(clusters.sourceAdmin(), clusters.targetAdmin())) {
            try (admin) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                        .all()
                        .get();
            }
        }
        grant(clusters.sourceAdmin(), USER, topic, AclOperation.WRITE);
        Map<String, Object> props = new HashMap<>(EmbeddedClusters.saslClientProps(USER, PASSWORD));
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, clusters.targetBootstrapServers());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");

        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            assertThatThrownBy(() ->
                            producer.send(new ProducerRecord<>(topic, "k", "v")).get())
                    .as("a grant on the source is none on the target")
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aWrongPasswordIsRejectedAtLogin() {
        try (var consumer = consumer(clusters.sourceBootstrapServers(), USER, "not-" + PASSWORD)) {
            consumer.assign(List.of(new TopicPartition("any", 0)));
            assertThatThrownBy(() -> pollUntil(consumer, 1, Duration.ofSeconds(30)))
                    .isInstanceOf(SaslAuthenticationException.class);
        }
    }

    private static void grant(Admin admin, String user, String topic, AclOperation operation) throws Exception {
        try (admin) {
            admin.createAcls(List.of(new AclBinding(
                            new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                            new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW))))
                    .all()
                    .get();
        }
    }

    private static void produce(String bootstrap, String topic, int count) throws Exception {
        Map<String, Object> props = new HashMap<>(
                EmbeddedClusters.saslClientProps(EmbeddedClusters.SUPER_USER, EmbeddedClusters.SUPER_USER_PASSWORD));
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)).get();
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String user, String password) {
        Map<String, Object> props = new HashMap<>(EmbeddedClusters.saslClientProps(user, password));
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    /** Polls until {@code count} records arrived; an authorization error surfaces as the exception it is. */
    private static List<String> pollUntil(KafkaConsumer<String, String> consumer, int count, Duration timeout) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (values.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
        }
        return values;
    }

    /** As {@link #pollUntil}, tolerating denials while a fresh ACL propagates to the broker. */
    private static List<String> pollUntilGranted(KafkaConsumer<String, String> consumer, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return pollUntil(consumer, count, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } catch (TopicAuthorizationException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }
}

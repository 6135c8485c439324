package strait.embedded;

import java.io.File;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;

/**
 * A source and a target single-node KRaft cluster inside this JVM, started with Kafka's own test kit: real brokers
 * for the tests and for {@code strait demo}, never a mock. Closing stops both and deletes their directories.
 *
 * <p>Thread-safe after {@link #start}; {@link #close} is idempotent.
 */
public final class EmbeddedClusters implements AutoCloseable {

    private final KafkaClusterTestKit source;
    private final KafkaClusterTestKit target;
    private volatile boolean closed;

    private EmbeddedClusters(KafkaClusterTestKit source, KafkaClusterTestKit target) {
        this.source = source;
        this.target = target;
    }

    /** Starts both clusters with the small-footprint settings below. */
    public static EmbeddedClusters start() {
        return start(Map.of());
    }

    /** Starts both clusters; {@code brokerOverrides} are broker settings applied to both, after the defaults. */
    public static EmbeddedClusters start(Map<String, Object> brokerOverrides) {
        KafkaClusterTestKit source = null;
        try {
            source = startCluster(brokerOverrides);
            KafkaClusterTestKit target = startCluster(brokerOverrides);
            return new EmbeddedClusters(source, target);
        } catch (Exception e) {
            closeQuietly(source);
            throw new IllegalStateException("could not start the embedded Kafka clusters: " + e.getMessage(), e);
        }
    }

    /**
     * Starts one single-node cluster with the same settings as {@link #start(Map)}, for a process that hosts a single
     * cluster (the side-by-side benchmark runs source and target in separate JVMs). The caller closes it, which stops
     * it and deletes its directories.
     */
    public static KafkaClusterTestKit startSingleCluster(Map<String, Object> brokerOverrides) {
        try {
            return startCluster(brokerOverrides);
        } catch (Exception e) {
            throw new IllegalStateException("could not start an embedded Kafka cluster: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a cluster of {@code brokers} brokers (one of them also its controller), with the settings of
     * {@link #start(Map)}, for a test that moves partition leaders between brokers. The caller closes it.
     */
    public static KafkaClusterTestKit startMultiBrokerCluster(int brokers) {
        try {
            return startCluster(Map.of(), brokers);
        } catch (Exception e) {
            throw new IllegalStateException("could not start an embedded Kafka cluster: " + e.getMessage(), e);
        }
    }

    /** The super user of clusters started by {@link #startWithAuthorizer}; {@link #sourceAdmin()} logs in as it. */
    public static final String SUPER_USER = JaasUtils.KAFKA_PLAIN_ADMIN;

    static final String SUPER_USER_PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;

    /**
     * Starts both clusters with SASL_PLAINTEXT listeners (mechanism PLAIN) and KRaft's {@code StandardAuthorizer},
     * denying whatever no ACL allows: for tests of the ACLs Strait needs. {@link #SUPER_USER} is a super user, and
     * {@link #sourceAdmin()} and {@link #targetAdmin()} log in as it to create topics and ACLs; {@code users} (name to
     * password) may log in too and hold no ACL until a test grants one. Clients connect with {@link #saslClientProps}.
     *
     * <p>Kafka's test kit points the JVM-wide {@code java.security.auth.login.config} at a JAAS file for the
     * controller listener; clients are unaffected since they carry their own {@code sasl.jaas.config}.
     */
    public static EmbeddedClusters startWithAuthorizer(Map<String, String> users) {
        KafkaClusterTestKit source = null;
        try {
            source = startAuthorizingCluster(users);
            KafkaClusterTestKit target = startAuthorizingCluster(users);
            return new EmbeddedClusters(source, target);
        } catch (Exception e) {
            closeQuietly(source);
            throw new IllegalStateException("could not start the embedded Kafka clusters: " + e.getMessage(), e);
        }
    }

    /** {@link #saslClientProps} of {@link #SUPER_USER}, for a test's own admin clients. */
    public static Map<String, Object> superUserClientProps() {
        return saslClientProps(SUPER_USER, SUPER_USER_PASSWORD);
    }

    /** Client settings that log in as {@code user} on a cluster started by {@link #startWithAuthorizer}. */
    public static Map<String, Object> saslClientProps(String user, String password) {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                                + "\" password=\"" + password + "\";");
    }

    /**
     * Creates a SCRAM-SHA-512 user with {@code password} on both clusters of {@link #startWithAuthorizer} (SCRAM
     * credentials live in each cluster's metadata: a user moving between clusters must exist on both). Clients log
     * in with {@link #scramClientProps}.
     */
    public void createScramUser(String user, String password) {
        for (KafkaClusterTestKit cluster : java.util.List.of(source, target)) {
            try (Admin admin = cluster.admin()) {
                admin.alterUserScramCredentials(java.util.List.of(new UserScramCredentialUpsertion(
                                user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                        .all()
                        .get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("could not create SCRAM user " + user + ": " + e.getMessage(), e);
            }
        }
    }

    /** Client settings that log in as a SCRAM-SHA-512 {@code user} made by {@link #createScramUser}. */
    public static Map<String, Object> scramClientProps(String user, String password) {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                                + "\" password=\"" + password + "\";");
    }

    private static KafkaClusterTestKit startAuthorizingCluster(Map<String, String> users) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setBaseDirectory(newDataDirectory())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        defaults().forEach(builder::setConfigProp);
        // The test kit's own SASL setup knows two users; this listener-level JAAS config knows ours as well. The
        // broker's own login (inter-broker) stays the super user. The kit sets StandardAuthorizer, super.users and
        // allow.everyone.if.no.acl.found=false; they are set here again so that this method says what it starts.
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required")
                .append(" username=\"")
                .append(SUPER_USER)
                .append("\" password=\"")
                .append(SUPER_USER_PASSWORD)
                .append("\" user_")
                .append(SUPER_USER)
                .append("=\"")
                .append(SUPER_USER_PASSWORD)
                .append('"');
        users.forEach((user, password) -> jaas.append(" user_")
                .append(user)
                .append("=\"")
                .append(password)
                .append('"'));
        jaas.append(';');
        String listener = nodes.brokerListenerName().value().toLowerCase(java.util.Locale.ROOT);
        builder.setConfigProp("listener.name." + listener + ".plain.sasl.jaas.config", jaas.toString());
        // SCRAM-SHA-512 beside PLAIN on the clients' listener; its users are created with createScramUser.
        builder.setConfigProp("listener.name." + listener + ".sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
        builder.setConfigProp(
                "listener.name." + listener + ".scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        builder.setConfigProp("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        builder.setConfigProp("super.users", "User:" + SUPER_USER);
        builder.setConfigProp("allow.everyone.if.no.acl.found", "false");
        return startBuilt(builder);
    }

    private static KafkaClusterTestKit startBuilt(KafkaClusterTestKit.Builder builder) throws Exception {
        KafkaClusterTestKit cluster = builder.build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return cluster;
        } catch (Exception e) {
            closeQuietly(cluster);
            throw e;
        }
    }

    private static KafkaClusterTestKit startCluster(Map<String, Object> overrides) throws Exception {
        return startCluster(overrides, 1);
    }

    private static KafkaClusterTestKit startCluster(Map<String, Object> overrides, int brokers) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(brokers)
                .setNumControllerNodes(1)
                .setBaseDirectory(newDataDirectory())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        defaults().forEach(builder::setConfigProp);
        overrides.forEach(builder::setConfigProp);
        return startBuilt(builder);
    }

    /**
     * A data directory of our own. The test kit's default comes from Kafka's {@code TestUtils.tempDirectory()}, which
     * registers a JVM shutdown hook deleting it: on SIGTERM that hook races the running broker, whose log directory
     * then "fails" and halts the JVM before our own shutdown runs. {@link #close} deletes ours after the broker stops.
     */
    private static java.nio.file.Path newDataDirectory() throws IOException {
        return java.nio.file.Files.createTempDirectory("strait-kafka-");
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> props = new HashMap<>();
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Small, fast clusters: a compacted topic is really cleaned within seconds in tests.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        props.put("log.cleaner.backoff.ms", "200");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("num.partitions", "1");
        return props;
    }

    public String sourceBootstrapServers() {
        return source.bootstrapServers();
    }

    public String targetBootstrapServers() {
        return target.bootstrapServers();
    }

    /** A new Admin client on the source; the caller closes it. */
    public Admin sourceAdmin() {
        return source.admin();
    }

    /** A new Admin client on the target; the caller closes it. */
    public Admin targetAdmin() {
        return target.admin();
    }

    /** The directories holding both clusters' data; deleted by {@link #close}. */
    public java.util.List<String> dataDirectories() {
        return java.util.List.of(source.nodes().baseDirectory(), target.nodes().baseDirectory());
    }

    /** The source cluster, for tests that need the test kit itself (broker restarts, say). */
    public KafkaClusterTestKit sourceCluster() {
        return source;
    }

    /** The target cluster, for tests that need the test kit itself. */
    public KafkaClusterTestKit targetCluster() {
        return target;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(target);
        closeQuietly(source);
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            // Shutting down: a failure to stop one cluster must not keep the other running.
            System.err.println("embedded cluster did not stop cleanly: " + e.getMessage());
        } finally {
            // The test kit deletes its directory only when every server stopped cleanly; ours never outlive us.
            try {
                Utils.delete(new File(cluster.nodes().baseDirectory()));
            } catch (IOException e) {
                System.err.println("could not delete " + cluster.nodes().baseDirectory() + ": " + e.getMessage());
            }
        }
    }
}

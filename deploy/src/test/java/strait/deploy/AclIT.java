package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import strait.embedded.EmbeddedClusters;

/**
 * The README's ACLs are exactly what Strait needs: with only them, replication, group sync and the gates work; without
 * any one of them, Strait says which permission is missing. Clusters authenticate with SASL/PLAIN and authorize with
 * KRaft's StandardAuthorizer ({@link EmbeddedClusters#startWithAuthorizer}); the sidecar runs as the packaged jar.
 */
class AclIT {

    private static final String USER = "strait";
    private static final String PASSWORD = "strait-acl-secret";
    private static final String PRINCIPAL = "User:" + USER;
    private static final int RECORDS = 100;
    private static final long COMMITTED = 60;
    private static final AtomicInteger LINKS = new AtomicInteger();

    private static EmbeddedClusters clusters;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        clusters = EmbeddedClusters.startWithAuthorizer(Map.of(USER, PASSWORD));
    }

    @AfterAll
    static void stop() {
        if (clusters != null) {
            clusters.close();
        }
    }

    @AfterEach
    void revokeEverything() throws Exception {
        AclBindingFilter all = new AclBindingFilter(
                ResourcePatternFilter.ANY,
                new AccessControlEntryFilter(PRINCIPAL, null, AclOperation.ANY, AclPermissionType.ANY));
        for (Admin admin : List.of(clusters.sourceAdmin(), clusters.targetAdmin())) {
            try (admin) {
                admin.deleteAcls(List.of(all)).all().get();
            }
        }
    }

    @Test
    void withExactlyTheDocumentedAclsReplicationGroupSyncAndGatesWork() throws Exception {
        DocumentedAcls.Link link = newLink();
        seedSource(link);
        grant(DocumentedAcls.forLink(link));

        try (Running strait = run(link)) {
            strait.await("/gates/ready answers 200", r -> r.statusCode() == 200, "/gates/ready");
            var group = strait.await(
                    "the group translates",
                    r -> r.statusCode() == 200 && r.body().contains("true"),
                    "/offsets/groups/" + link.group());
            assertThat(group.body()).contains("\"valid\":true");
        }
        try (Admin target = clusters.targetAdmin()) {
            TopicPartition tp = new TopicPartition(link.topic(), 0);
            assertThat(target.listOffsets(Map.of(tp, OffsetSpec.latest()))
                            .all()
                            .get()
                            .get(tp)
                            .offset())
                    .isEqualTo(RECORDS);
            assertThat(target.listConsumerGroupOffsets(link.group())
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .get(tp))
                    .isNotNull();
        }
    }

    /**
     * A source topic that leaves Kafka's listing because its ACLs were revoked mid-run has not been deleted: its
     * partition must stay in the gates, stopped with an authorization reason, and not drop out of them (with no
     * partitions and no topics left, every gate would pass).
     */
    @Test
    void aSourceTopicWhoseAclsAreRevokedWhileRunningStaysInTheGatesStopped() throws Exception {
        DocumentedAcls.Link link = newLink();
        seedSource(link);
        List<DocumentedAcls.Acl> acls = DocumentedAcls.forLink(link);
        grant(acls);
        try (Running strait = run(link, "topics.refresh.interval.ms=500")) {
            strait.await("/gates/ready answers 200", r -> r.statusCode() == 200, "/gates/ready");
            // when every ACL on the source topic is revoked
            try (Admin source = clusters.sourceAdmin()) {
                source.deleteAcls(acls.stream()
                                .filter(a -> a.cluster().equals("source")
                                        && a.binding().pattern().resourceType() == ResourceType.TOPIC)
                                .map(a -> a.binding().toFilter())
                                .toList())
                        .all()
                        .get();
            }
            // then once a discovery no longer lists the topic, its partition is still reported, stopped
            strait.await(
                    "a discovery without the topic", r -> r.body().matches("(?s).*\"topics\":0[,}].*"), "/gates/ready");
            var status = strait.await(
                    "the partition reported as stopped",
                    r -> r.statusCode() == 200
                            && r.body().contains(link.topic())
                            && r.body().contains("stoppedReason"),
                    "/status");
            assertThat(status.body().toLowerCase()).contains("authoriz");
            assertThat(StraitProcess.get("http://127.0.0.1:" + strait.port() + "/gates/ready")
                            .statusCode())
                    .isNotEqualTo(200);
        }
    }

    static Stream<String> documentedAcls() {
        return DocumentedAcls.forLink(new DocumentedAcls.Link(PRINCIPAL, "T", "G", "L")).stream()
                .map(DocumentedAcls.Acl::toString);
    }

    /**
     * The documented ACLs whose absence can be observed: Kafka grants an operation implied by another one granted on
     * the same resource (Read, Write, Delete and Alter imply Describe; AlterConfigs implies DescribeConfigs), and
     * since Kafka 3.0 Write on any topic implies IdempotentWrite on the cluster (KIP-679). Withholding those alone
     * changes nothing, so they are documented for clarity but not tested one by one.
     */
    static Stream<String> withholdableAcls() {
        List<DocumentedAcls.Acl> all = DocumentedAcls.forLink(new DocumentedAcls.Link(PRINCIPAL, "T", "G", "L"));
        return all.stream().filter(acl -> !impliedByAnother(acl, all)).map(DocumentedAcls.Acl::toString);
    }

    private static boolean impliedByAnother(DocumentedAcls.Acl acl, List<DocumentedAcls.Acl> all) {
        AclOperation op = acl.binding().entry().operation();
        Set<AclOperation> implying = switch (op) {
            case DESCRIBE -> Set.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER);
            case DESCRIBE_CONFIGS -> Set.of(AclOperation.ALTER_CONFIGS);
            default -> Set.of();
        };
        boolean sameResource = all.stream()
                .anyMatch(other -> other.cluster().equals(acl.cluster())
                        && other.binding().pattern().equals(acl.binding().pattern())
                        && implying.contains(other.binding().entry().operation()));
        boolean idempotentByWrite = op == AclOperation.IDEMPOTENT_WRITE
                && all.stream()
                        .anyMatch(other -> other.cluster().equals(acl.cluster())
                                && other.binding().entry().operation() == AclOperation.WRITE
                                && other.binding().pattern().resourceType()
                                        == org.apache.kafka.common.resource.ResourceType.TOPIC);
        return sameResource || idempotentByWrite;
    }

    /**
     * Withholds one ACL and runs Strait through a fresh start and then "day two" (a restart with data already on the
     * target, new records, and a partition added on the source), until it reports an authorization error naming the
     * resource. If it replicates, translates and passes every gate through both, the README asks for too much.
     */
    @ParameterizedTest(name = "without {0}")
    @MethodSource("withholdableAcls")
    void withoutOneDocumentedAclStraitNamesTheMissingPermission(String withheld) throws Exception {
        DocumentedAcls.Link link = newLink();
        seedSource(link);
        List<DocumentedAcls.Acl> acls = DocumentedAcls.forLink(link);
        int index = documentedAcls().toList().indexOf(withheld);
        assertThat(index).as("documented: %s", withheld).isNotNegative();
        DocumentedAcls.Acl missing = acls.get(index);
        List<DocumentedAcls.Acl> granted = new ArrayList<>(acls);
        granted.remove(index);
        grant(granted);
        String resource = missing.binding().pattern().name().replaceFirst("\\.$", "");
        // One log line, or one JSON object of /status or /gates/ready, says both.
        Predicate<String> namesIt = text -> java.util.Arrays.stream(text.split("[\\n{}]"))
                .anyMatch(part -> part.toLowerCase().contains("authoriz") && part.contains(resource));

        String named;
        try (Running strait = run(link)) {
            named = strait.awaitOutputOrWorking("an authorization error naming " + resource, namesIt, link, 1);
        }
        if (named == null) {
            dayTwo(link);
            try (Running strait = run(link)) {
                named = strait.awaitOutputOrWorking(
                        "an authorization error naming " + resource + " on day two", namesIt, link, 2);
            }
        }
        assertThat(named)
                .as(
                        "Strait replicates, syncs groups and passes every gate without %s, through a restart "
                                + "with data on the target and a partition increase: drop it from the README",
                        withheld)
                .isNotNull();
        assertThat(named).doesNotContain(PASSWORD);
    }

    /** What a running link meets after its first day: more records, and a second partition on the source. */
    private static void dayTwo(DocumentedAcls.Link link) throws Exception {
        try (Admin admin = clusters.sourceAdmin()) {
            admin.createPartitions(Map.of(link.topic(), NewPartitions.increaseTo(2)))
                    .all()
                    .get();
        }
        produce(link, 0, RECORDS);
        produce(link, 1, RECORDS);
    }

    // ---- set-up ------------------------------------------------------------------------------------------------

    private static DocumentedAcls.Link newLink() {
        int n = LINKS.incrementAndGet();
        return new DocumentedAcls.Link(PRINCIPAL, "acl-orders-" + n, "acl-billing-" + n, "acl" + n);
    }

    /** A topic with records and a group that committed part-way, written by the super user. */
    private static void seedSource(DocumentedAcls.Link link) throws Exception {
        TopicPartition tp = new TopicPartition(link.topic(), 0);
        try (Admin admin = clusters.sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(link.topic(), 1, (short) 1)))
                    .all()
                    .get();
            produce(link, 0, RECORDS);
            admin.alterConsumerGroupOffsets(link.group(), Map.of(tp, new OffsetAndMetadata(COMMITTED)))
                    .all()
                    .get();
        }
    }

    /** {@code count} records into one partition of the link's source topic, as the super user. */
    private static void produce(DocumentedAcls.Link link, int partition, int count) {
        Map<String, Object> props = new java.util.HashMap<>(
                EmbeddedClusters.saslClientProps(EmbeddedClusters.SUPER_USER, superUserPassword()));
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, clusters.sourceBootstrapServers());
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(link.topic(), partition, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    private static String superUserPassword() {
        return org.apache.kafka.common.test.JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;
    }

    private static void grant(List<DocumentedAcls.Acl> acls) throws Exception {
        for (String cluster : List.of("source", "target")) {
            var bindings = acls.stream()
                    .filter(a -> a.cluster().equals(cluster))
                    .map(DocumentedAcls.Acl::binding)
                    .toList();
            try (Admin admin = cluster.equals("source") ? clusters.sourceAdmin() : clusters.targetAdmin()) {
                admin.createAcls(bindings).all().get();
            }
        }
    }

    // ---- the jar ---------------------------------------------------------------------------------------------------

    private Running run(DocumentedAcls.Link link, String... extraConfig) throws Exception {
        int port = freePort();
        List<String> lines = new ArrayList<>(List.of(
                "source.bootstrap.servers=" + clusters.sourceBootstrapServers(),
                "target.bootstrap.servers=" + clusters.targetBootstrapServers(),
                "topics=" + link.topic(),
                "groups=" + link.group(),
                "link.name=" + link.linkName(),
                "target.replication.factor=1",
                "groups.sync.interval.ms=500",
                "http.port=" + port));
        lines.addAll(List.of(extraConfig));
        for (String side : List.of("source.", "target.")) {
            EmbeddedClusters.saslClientProps(USER, PASSWORD).forEach((k, v) -> lines.add(side + k + "=" + v));
        }
        Path config = Files.write(Files.createTempFile(dir, "strait", ".properties"), lines);
        return new Running(StraitProcess.start(dir, List.of(), "run", "--config", config.toString()), port);
    }

    private record Running(StraitProcess process, int port) implements AutoCloseable {

        HttpResponse<String> await(String what, Predicate<HttpResponse<String>> condition, String path)
                throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            String last = "no answer";
            while (System.nanoTime() < deadline) {
                assertThat(process.process().isAlive())
                        .as("strait runs; stderr: %s", process.stderr())
                        .isTrue();
                try {
                    HttpResponse<String> response = StraitProcess.get("http://127.0.0.1:" + port + path);
                    if (condition.test(response)) {
                        return response;
                    }
                    last = response.statusCode() + " " + response.body();
                } catch (IOException e) {
                    last = "not listening";
                }
                process.process().waitFor(250, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            throw new AssertionError(
                    what + " within 90 s; last " + path + ": " + last + "; stderr: " + process.stderr());
        }

        /**
         * Polls everything Strait tells an operator (its log, /gates/ready, /status) until {@code condition}, and
         * returns that text; returns null as soon as Strait works fully without the permission.
         */
        String awaitOutputOrWorking(String what, Predicate<String> condition, DocumentedAcls.Link link, int partitions)
                throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String text = "";
            while (System.nanoTime() < deadline) {
                StringBuilder seen = new StringBuilder(process.stderr());
                for (String path : List.of("/gates/ready", "/status")) {
                    try {
                        seen.append('\n')
                                .append(StraitProcess.get("http://127.0.0.1:" + port + path)
                                        .body());
                    } catch (IOException e) {
                        // Not listening (yet, or any more): the log may still say why.
                    }
                }
                text = seen.toString();
                if (condition.test(text)) {
                    return text;
                }
                if (worksFully(link, partitions)) {
                    return null;
                }
                process.process().waitFor(250, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            throw new AssertionError("no " + what + " within 60 s; Strait said: " + text);
        }

        /** Every gate passes, the group translates, and the target holds all the source has and the group. */
        private boolean worksFully(DocumentedAcls.Link link, int partitions) throws Exception {
            try {
                if (StraitProcess.get("http://127.0.0.1:" + port + "/gates/ready")
                                        .statusCode()
                                != 200
                        || !StraitProcess.get("http://127.0.0.1:" + port + "/offsets/groups/" + link.group())
                                .body()
                                .contains("\"valid\":true")) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
            Map<TopicPartition, OffsetSpec> ends = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(new TopicPartition(link.topic(), p), OffsetSpec.latest());
            }
            try (Admin source = clusters.sourceAdmin();
                    Admin target = clusters.targetAdmin()) {
                var sourceEnds = source.listOffsets(ends).all().get();
                var targetEnds = target.listOffsets(ends).all().get();
                for (TopicPartition tp : ends.keySet()) {
                    if (sourceEnds.get(tp).offset() != targetEnds.get(tp).offset()) {
                        return false;
                    }
                }
                return !target.listConsumerGroupOffsets(link.group())
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .isEmpty();
            } catch (java.util.concurrent.ExecutionException e) {
                return false;
            }
        }

        @Override
        public void close() throws Exception {
            process.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}

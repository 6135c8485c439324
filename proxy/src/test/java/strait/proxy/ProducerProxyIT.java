package strait.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import strait.embedded.EmbeddedClusters;
import strait.embedded.Eventually;

/**
 * The proxy between stock Kafka clients and real brokers: a three-broker source (so partition leaders, and the
 * client's connections, spread over several broker ports) and a one-broker target. One pair of clusters for the
 * class, one proxy per test on ports of its own.
 */
class ProducerProxyIT {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final Set<ApiKeys> DECODED = Set.of(
            ApiKeys.API_VERSIONS,
            ApiKeys.METADATA,
            ApiKeys.FIND_COORDINATOR,
            ApiKeys.DESCRIBE_CLUSTER,
            ApiKeys.PRODUCE,
            ApiKeys.FETCH,
            ApiKeys.SHARE_FETCH,
            ApiKeys.SHARE_ACKNOWLEDGE,
            ApiKeys.INIT_PRODUCER_ID);

    private static KafkaClusterTestKit source;
    private static KafkaClusterTestKit target;
    private static TestProxies proxies;

    private ProducerProxy proxy;

    @BeforeAll
    static void startClusters() {
        source = EmbeddedClusters.startMultiBrokerCluster(3);
        target = EmbeddedClusters.startSingleCluster(Map.of());
        proxies = new TestProxies();
    }

    @AfterAll
    static void stopClusters() throws Exception {
        if (proxies != null) {
            proxies.close();
        }
        if (target != null) {
            target.close();
        }
        if (source != null) {
            source.close();
        }
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private ProducerProxy startProxy(ProduceHook hook) {
        proxy = proxies.start(
                TestProxies.settings(source.bootstrapServers(), target.bootstrapServers(), Map.of()), hook);
        return proxy;
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void idempotentProducerAndConsumerGroupWorkEndToEndThroughTheProxy(String groupProtocol) throws Exception {
        startProxy(ProduceHook.FORWARD);
        String topic = newTopic(6);
        int records = 600;

        List<RecordMetadata> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
            }
            for (Future<RecordMetadata> send : sends) {
                acked.add(send.get());
            }
        }
        assertThat(acked).hasSize(records);
        assertThat(acked.stream().map(RecordMetadata::partition).distinct()).hasSize(6);

        String group = "g-" + topic;
        Set<String> read = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = consumer(group, groupProtocol)) {
            consumer.subscribe(List.of(topic));
            Eventually.eventually("the group reads every record through the proxy", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    read.add(record.value());
                }
                return read.size() == records;
            });
            consumer.commitSync();
        }
        try (Admin direct = source.admin()) {
            Map<TopicPartition, Long> committed = new HashMap<>();
            direct.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .forEach((tp, offset) -> committed.put(tp, offset.offset()));
            long total = committed.values().stream().mapToLong(Long::longValue).sum();
            assertThat(total).as("committed offsets add up to every record").isEqualTo(records);
        }
    }

    @Test
    void everyBrokerAddressClientsLearnIsAProxyAddress() throws Exception {
        startProxy(ProduceHook.FORWARD);
        String topic = newTopic(6);
        Set<Integer> realPorts = realBrokerPorts();
        String group = "g-" + topic;

        try (Admin admin = adminThroughProxy()) {
            Collection<Node> nodes = admin.describeCluster().nodes().get();
            assertThat(nodes).hasSize(3);
            assertThat(nodes).allSatisfy(this::isProxyAddress);
            assertThat(admin.describeCluster().controller().get()).satisfies(this::isProxyAddress);

            try (KafkaProducer<String, String> producer = producer(Map.of());
                    KafkaConsumer<String, String> consumer = consumer(group, "classic")) {
                producer.send(new ProducerRecord<>(topic, "k", "v")).get();
                List<PartitionInfo> partitions = producer.partitionsFor(topic);
                assertThat(partitions).hasSize(6);
                assertThat(partitions).allSatisfy(p -> isProxyAddress(p.leader()));
                consumer.subscribe(List.of(topic));
                Eventually.eventually(
                        "the consumer joins its group",
                        Duration.ofSeconds(30),
                        () -> !consumer.poll(Duration.ofMillis(100)).isEmpty()
                                || !consumer.assignment().isEmpty());
                consumer.commitSync();
            }
            Node coordinator = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get()
                    .coordinator();
            assertThat(coordinator).satisfies(this::isProxyAddress);
            assertThat(admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic)
                            .partitions())
                    .allSatisfy(p -> {
                        isProxyAddress(p.leader());
                        p.replicas().forEach(this::isProxyAddress);
                    });
        }
        assertThat(realPorts).doesNotContainAnyElementsOf(proxyPorts());
    }

    @Test
    void afterALeaderMoveTheLeaderHintsInProduceResponsesPointAtTheProxy() throws Exception {
        startProxy(ProduceHook.FORWARD);
        String topic = "proxy-moved-" + TOPICS.incrementAndGet();
        TopicPartition tp = new TopicPartition(topic, 0);
        List<Integer> ids;
        try (Admin admin = source.admin()) {
            ids = admin.describeCluster().nodes().get().stream()
                    .map(Node::id)
                    .sorted()
                    .toList();
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, ids))))
                    .all()
                    .get();
        }
        List<Integer> moved = List.of(ids.get(1), ids.get(2), ids.get(0));
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "0"));
                Admin admin = source.admin()) {
            producer.send(new ProducerRecord<>(topic, "before", "move")).get();
            admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(moved))))
                    .all()
                    .get();
            Eventually.eventually(
                    "the reassignment is done",
                    Duration.ofSeconds(30),
                    () -> admin.listPartitionReassignments()
                            .reassignments()
                            .get()
                            .isEmpty());
            var election =
                    admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).all();
            // Writes keep going while the leader moves: the old leader answers NOT_LEADER_OR_FOLLOWER with a hint.
            while (!election.isDone()) {
                sends.add(producer.send(new ProducerRecord<>(topic, "during", "move")));
            }
            election.get();
            for (int i = 0; i < 50; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, "after", "move")));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
            PartitionInfo partition = producer.partitionsFor(topic).get(0);
            assertThat(partition.leader().id()).isEqualTo(moved.get(0));
            isProxyAddress(partition.leader());
        }
        double hints =
                proxies.registry.find("strait.proxy.rewritten.responses").tag("api", "produce").counters().stream()
                        .mapToDouble(c -> c.count())
                        .sum();
        assertThat(hints)
                .as("produce responses whose leader hints were rewritten")
                .isPositive();
    }

    @Test
    void apiVersionsAnsweredThroughTheProxyIsTheIntersectionOfBothClustersAndWhatTheProxyParses() throws Exception {
        startProxy(ProduceHook.FORWARD);
        ApiVersionsResponseData viaProxy = apiVersions(proxy.bootstrapAddress());
        ApiVersionsResponseData fromSource =
                apiVersions(source.bootstrapServers().split(",")[0]);
        ApiVersionsResponseData fromTarget = apiVersions(target.bootstrapServers());

        for (ApiVersionsResponseData.ApiVersion api : fromSource.apiKeys()) {
            ApiVersionsResponseData.ApiVersion other = fromTarget.apiKeys().find(api.apiKey());
            ApiVersionsResponseData.ApiVersion answered = viaProxy.apiKeys().find(api.apiKey());
            if (other == null) {
                assertThat(answered)
                        .as("api %s only the source has", api.apiKey())
                        .isNull();
                continue;
            }
            int min = Math.max(api.minVersion(), other.minVersion());
            int max = Math.min(api.maxVersion(), other.maxVersion());
            ApiKeys key = ApiKeys.forId(api.apiKey());
            if (DECODED.contains(key)) {
                max = Math.min(max, key.messageType.highestSupportedVersion(false));
            }
            if (key == ApiKeys.SASL_HANDSHAKE) {
                min = Math.max(min, 1);
            }
            assertThat(answered).as("api %s", key).isNotNull();
            assertThat(answered.minVersion()).as("%s min", key).isEqualTo((short) min);
            assertThat(answered.maxVersion()).as("%s max", key).isEqualTo((short) max);
        }
        assertThat(viaProxy.apiKeys().size())
                .isLessThanOrEqualTo(fromSource.apiKeys().size());
        assertThat(viaProxy.apiKeys().find(ApiKeys.SASL_HANDSHAKE.id).minVersion())
                .as("SaslHandshake v0 (raw tokens) is not offered")
                .isEqualTo((short) 1);
        for (ApiVersionsResponseData.FinalizedFeatureKey feature : viaProxy.finalizedFeatures()) {
            assertThat(feature.maxVersionLevel())
                    .as("finalized %s", feature.name())
                    .isLessThanOrEqualTo(
                            fromTarget.finalizedFeatures().find(feature.name()).maxVersionLevel())
                    .isLessThanOrEqualTo(
                            fromSource.finalizedFeatures().find(feature.name()).maxVersionLevel());
        }
    }

    @Test
    void aFrameOfAnApiTheProxyDoesNotDecodePassesThroughUntouched() throws Exception {
        startProxy(ProduceHook.FORWARD);
        String topic = newTopic(2);
        try (Admin admin = adminThroughProxy();
                Admin direct = source.admin()) {
            assertThat(admin.listTopics().names().get()).contains(topic);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config viaProxy =
                    admin.describeConfigs(List.of(resource)).all().get().get(resource);
            Config directly =
                    direct.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(viaProxy.entries()).hasSameElementsAs(directly.entries());
        }
        // Byte for byte: the same DescribeConfigs request to one broker directly and through its proxy port.
        Collection<Node> nodes;
        try (Admin direct = source.admin()) {
            nodes = direct.describeCluster().nodes().get();
        }
        Node node = nodes.iterator().next();
        int lowest = nodes.stream().mapToInt(Node::id).min().orElseThrow();
        int realPort = node.port();
        int proxyPort = proxyBootstrapPort() + 1 + node.id() - lowest;
        DescribeConfigsRequestData request = new DescribeConfigsRequestData()
                .setResources(List.of(new DescribeConfigsRequestData.DescribeConfigsResource()
                        .setResourceType(ConfigResource.Type.TOPIC.id())
                        .setResourceName(topic)));
        short version = ApiKeys.DESCRIBE_CONFIGS.latestVersion();
        ByteBuffer direct;
        ByteBuffer proxied;
        try (RawKafka raw = new RawKafka("127.0.0.1", realPort)) {
            direct = raw.call(ApiKeys.DESCRIBE_CONFIGS, version, request);
        }
        try (RawKafka raw = new RawKafka("127.0.0.1", proxyPort)) {
            proxied = raw.call(ApiKeys.DESCRIBE_CONFIGS, version, request);
        }
        assertThat(proxied).isEqualTo(direct);
    }

    @Test
    void aHeldProduceRequestIsAnsweredOnlyAfterReleaseAndInOrder() throws Exception {
        ProduceFence fence = new ProduceFence();
        startProxy(fence);
        String topic = newTopic(1);
        TopicPartition tp = new TopicPartition(topic, 0);
        List<Integer> completed = new CopyOnWriteArrayList<>();
        List<Long> offsets = new CopyOnWriteArrayList<>();
        try (KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "0"))) {
            producer.send(new ProducerRecord<>(topic, "warm", "up")).get();

            fence.raise();
            int sends = 20;
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < sends; i++) {
                int n = i;
                futures.add(producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i), (metadata, error) -> {
                    completed.add(n);
                    if (metadata != null) {
                        offsets.add(metadata.offset());
                    }
                }));
            }
            Eventually.eventually("a produce request is held", Duration.ofSeconds(10), () -> proxy.heldRequests() > 0);
            assertThat(proxy.produceRequestsOwedBySource())
                    .as("the warm-up send was answered; a held request is not owed by the source")
                    .isZero();
            // Held for a while: nothing answered, nothing written.
            long until = System.nanoTime() + Duration.ofMillis(700).toNanos();
            while (System.nanoTime() < until) {
                assertThat(completed).as("no send completes while held").isEmpty();
                Thread.onSpinWait();
            }
            assertThat(endOffset(tp)).as("nothing reached the broker").isEqualTo(1L);

            fence.lower();
            proxy.releaseHeld();
            for (Future<RecordMetadata> future : futures) {
                future.get();
            }
            List<Integer> inOrder = new ArrayList<>();
            for (int i = 0; i < sends; i++) {
                inOrder.add(i);
            }
            assertThat(completed).isEqualTo(inOrder);
            assertThat(offsets).isSorted().doesNotHaveDuplicates().hasSize(sends);
            assertThat(proxy.heldRequests()).isZero();
            Eventually.eventually(
                    "every released request is answered by the source",
                    Duration.ofSeconds(10),
                    () -> proxy.produceRequestsOwedBySource() == 0);
            assertThat(endOffset(tp)).isEqualTo(1L + sends);
        }
    }

    @Test
    void afterSwitchToTargetNewAndReconnectingConnectionsGoToTheTarget() throws Exception {
        startProxy(ProduceHook.FORWARD);
        String sourceId;
        String targetId;
        try (Admin s = source.admin();
                Admin t = target.admin()) {
            sourceId = s.describeCluster().clusterId().get();
            targetId = t.describeCluster().clusterId().get();
        }
        try (Admin admin = adminThroughProxy()) {
            assertThat(admin.describeCluster().clusterId().get()).isEqualTo(sourceId);

            assertThat(proxy.router().switchTo(Cluster.TARGET)).isTrue();
            assertThat(proxy.router().switchTo(Cluster.TARGET)).isFalse();

            Eventually.eventually(
                    "the open client reconnects, to the target",
                    Duration.ofSeconds(30),
                    () -> targetId.equals(admin.describeCluster().clusterId().get()));
            assertThat(admin.describeCluster().nodes().get()).allSatisfy(this::isProxyAddress);
        }
        try (Admin fresh = adminThroughProxy()) {
            assertThat(fresh.describeCluster().clusterId().get()).isEqualTo(targetId);
        }
    }

    // --- helpers

    private void isProxyAddress(Node node) {
        assertThat(node.host()).isEqualTo("127.0.0.1");
        assertThat(node.port()).isIn(proxyPorts());
    }

    private Set<Integer> proxyPorts() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 1; i <= TestProxies.BROKER_PORTS; i++) {
            ports.add(proxyBootstrapPort() + i);
        }
        return ports;
    }

    private int proxyBootstrapPort() {
        String address = proxy.bootstrapAddress();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private static Set<Integer> realBrokerPorts() {
        Set<Integer> ports = new HashSet<>();
        for (String bootstrap : List.of(source.bootstrapServers(), target.bootstrapServers())) {
            for (String address : bootstrap.split(",")) {
                ports.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }

    private static ApiVersionsResponseData apiVersions(String hostPort) throws Exception {
        try (RawKafka raw = RawKafka.to(hostPort)) {
            ByteBuffer body = raw.call(
                    ApiKeys.API_VERSIONS,
                    (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("test").setClientSoftwareVersion("1"));
            return new ApiVersionsResponseData(new ByteBufferAccessor(body), (short) 3);
        }
    }

    private static String newTopic(int partitions) throws Exception {
        String topic = "proxy-" + TOPICS.incrementAndGet();
        try (Admin admin = source.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get();
        }
        return topic;
    }

    private static long endOffset(TopicPartition tp) throws Exception {
        try (Admin admin = source.admin()) {
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest()))
                    .all()
                    .get()
                    .get(tp)
                    .offset();
        }
    }

    private Admin adminThroughProxy() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapAddress());
        return Admin.create(props);
    }

    private KafkaProducer<String, String> producer(Map<String, String> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapAddress());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putAll(extra);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private KafkaConsumer<String, String> consumer(String group, String groupProtocol) {
        Properties props = new Properties();
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, groupProtocol);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, proxy.bootstrapAddress());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}

package strait.gates.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.embedded.Eventually;
import strait.embedded.SharedClusters;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.ProducerProxyGate;
import strait.gates.ProxyState;
import strait.gates.Refreshed;

/**
 * The {@code inventory} gate over two real KRaft clusters: the topics' producers and the groups' members as the
 * brokers report them, and a group read on both clusters at once failing by name.
 */
class InventoryGateIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    @Test
    void listsTheSourceProducersAndGroupMembersAndPassesWhileNoGroupReadsTheTarget() throws Exception {
        String topic = "inventory-it-orders";
        String group = "inventory-it-billing";
        topics(topic);
        long producerId = write(topic);
        try (KafkaConsumer<String, String> member =
                member(CLUSTERS.sourceBootstrapServers(), group, "billing-1", topic)) {
            InventorySnapshot snapshot = readOnce(Set.of(topic), Set.of(group));

            GateResult result = new InventoryGate(30_000).evaluate(inputs(snapshot, ProxyState.NONE), Instant.now());

            assertThat(result.passed()).as(result.reason()).isTrue();
            assertThat(result.reason())
                    .isEqualTo("1 topics with 1 producers tracked by the source (1 wrote in the last minute); 1 groups"
                            + " with 1 members on the source; no group is active on the target");
            JsonObject onTopic = result.evidence().getJsonArray("topics").getJsonObject(0);
            assertThat(onTopic.getString("topic")).isEqualTo(topic);
            assertThat(onTopic.getInteger("partitions")).isEqualTo(2);
            assertThat(onTopic.getJsonArray("producers").getJsonObject(0).getLong("producerId"))
                    .isEqualTo(producerId);
            JsonObject onGroup = result.evidence().getJsonArray("groups").getJsonObject(0);
            assertThat(onGroup.getJsonObject("source")
                            .getJsonArray("members")
                            .getJsonObject(0)
                            .getString("clientId"))
                    .isEqualTo("billing-1");
            assertThat(onGroup.getJsonObject("target").getString("state")).isEqualTo("absent");
        }
    }

    @Test
    void aGroupActiveOnBothClustersFailsNamingItBeforeAndAfterTheSwitch() throws Exception {
        String topic = "inventory-it-payments";
        String group = "inventory-it-ledger";
        topics(topic);
        write(topic);
        try (KafkaConsumer<String, String> onTarget =
                member(CLUSTERS.targetBootstrapServers(), group, "ledger-early", topic)) {
            InventorySnapshot targetOnly = readOnce(Set.of(topic), Set.of(group));
            try (KafkaConsumer<String, String> onSource =
                    member(CLUSTERS.sourceBootstrapServers(), group, "ledger-1", topic)) {
                InventorySnapshot both = readOnce(Set.of(topic), Set.of(group));

                GateResult before =
                        new InventoryGate(30_000).evaluate(inputs(both, ProxyState.MIRRORING), Instant.now());
                GateResult after = new InventoryGate(30_000).evaluate(inputs(both, ProxyState.SWITCHED), Instant.now());

                assertThat(before.passed()).isFalse();
                assertThat(before.reason())
                        .startsWith("group " + group + " has 1 members (ledger-early@")
                        .contains("on the target before the switch: a split-brain sign");
                assertThat(before.evidence().getJsonArray("splitBrainGroups").getList())
                        .containsExactly(group);
                assertThat(after.passed()).isFalse();
                assertThat(after.reason())
                        .startsWith("group " + group + " is active on both clusters after the switch (1 members"
                                + " (ledger-1@");
            }
            GateResult movedOver =
                    new InventoryGate(30_000).evaluate(inputs(targetOnly, ProxyState.SWITCHED), Instant.now());
            assertThat(movedOver.passed())
                    .as("after the switch, members on the target only: %s", movedOver.reason())
                    .isTrue();
            assertThat(movedOver.reason()).endsWith("no group is active on both clusters");
        }
    }

    @Test
    void aTopicThatCannotBeDescribedFailsNamingIt() {
        InventorySnapshot snapshot = readOnce(Set.of("inventory-it-gone"), Set.of());

        GateResult result = new InventoryGate(30_000).evaluate(inputs(snapshot, ProxyState.NONE), Instant.now());

        assertThat(result.passed()).isFalse();
        assertThat(result.reason())
                .startsWith("topic inventory-it-gone cannot be described on the source: ")
                .endsWith("it does not exist there (deleted after Strait discovered it?)");
    }

    @Test
    void withoutAnInventoryTheGateFailsAsNoData() {
        GateResult result = new InventoryGate(30_000).evaluate(GateInputs.empty(), Instant.now());

        assertThat(result.passed()).isFalse();
        assertThat(result.reason()).isEqualTo("no inventory data yet");
    }

    private static InventorySnapshot readOnce(Set<String> topics, Set<String> groups) {
        try (InventoryReader reader = new InventoryReader(
                Map.of("bootstrap.servers", CLUSTERS.sourceBootstrapServers()),
                Map.of("bootstrap.servers", CLUSTERS.targetBootstrapServers()),
                () -> topics,
                () -> groups,
                Duration.ofHours(1),
                Clock.systemUTC())) {
            reader.start();
            Eventually.eventually(
                    "one read",
                    Duration.ofSeconds(60),
                    () -> reader.input().latest().isPresent());
            InventorySnapshot snapshot = reader.input().latest().orElseThrow().value();
            assertThat(snapshot.problem()).isEmpty();
            return snapshot;
        }
    }

    private static GateInputs inputs(InventorySnapshot snapshot, ProxyState proxy) {
        Instant now = Instant.now();
        return new GateInputs(
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                Map.of(
                        InventoryGate.INVENTORY,
                        Refreshed.of(snapshot, now),
                        ProducerProxyGate.STATE,
                        Refreshed.of(proxy, now)));
    }

    private static void topics(String topic) throws Exception {
        for (Admin admin :
                List.of(CLUSTERS.clusters().sourceAdmin(), CLUSTERS.clusters().targetAdmin())) {
            try (admin) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1)))
                        .all()
                        .get();
            }
        }
    }

    /** Writes a few records with one idempotent producer; its producer id, as the source's leaders track it. */
    private static long write(String topic) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, CLUSTERS.sourceBootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, false);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i))
                        .get();
            }
        }
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            return admin.describeProducers(List.of(new org.apache.kafka.common.TopicPartition(topic, 0)))
                    .all()
                    .get()
                    .values()
                    .iterator()
                    .next()
                    .activeProducers()
                    .get(0)
                    .producerId();
        }
    }

    /** A consumer that has joined {@code group} (classic protocol) and stays a member while the test reads. */
    private static KafkaConsumer<String, String> member(String bootstrap, String group, String clientId, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
        Eventually.eventually(clientId + " joins " + group, Duration.ofSeconds(60), () -> {
            consumer.poll(Duration.ofMillis(100));
            return !consumer.assignment().isEmpty();
        });
        return consumer;
    }
}

package strait.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmbeddedClustersIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    @Test
    void sourceClusterCarriesRecordsFromProducerToConsumer() throws Exception {
        assertRoundTrip(CLUSTERS.sourceBootstrapServers(), CLUSTERS.clusters().sourceAdmin());
    }

    @Test
    void targetClusterCarriesRecordsFromProducerToConsumer() throws Exception {
        assertRoundTrip(CLUSTERS.targetBootstrapServers(), CLUSTERS.clusters().targetAdmin());
    }

    @Test
    void sourceAndTargetAreSeparateClusters() {
        assertThat(CLUSTERS.sourceBootstrapServers()).isNotEqualTo(CLUSTERS.targetBootstrapServers());
    }

    private static void assertRoundTrip(String bootstrap, Admin admin) throws Exception {
        String topic = "round-trip-" + System.nanoTime();
        try (admin) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }
        try (var producer = new KafkaProducer<String, String>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i));
            }
            producer.flush();
        }
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "g-" + topic,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            eventually("100 records", Duration.ofSeconds(30), () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= 100;
            });
        }
        assertThat(values).hasSize(100).contains("v0", "v99");
    }
}

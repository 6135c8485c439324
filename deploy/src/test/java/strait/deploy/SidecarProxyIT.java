package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static strait.embedded.Eventually.eventually;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import strait.config.StraitConfig;
import strait.embedded.FreePorts;
import strait.embedded.SharedClusters;

/**
 * With {@code proxy.enabled=true} the sidecar runs the producer proxy beside the replicator: a producer writes to the
 * source through it, the replicator copies the records to the target, and the proxy's metrics are served. The
 * {@code producer-proxy} gate passes: the proxy forwards to the source and no cutover runs.
 */
class SidecarProxyIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final String TOPIC = "proxied.orders";

    @Test
    void withProxyEnabledTheSidecarServesProducersThroughTheProxyAndReplicatesWhatTheyWrote() throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        }
        int port = FreePorts.range(3);
        try (Sidecar sidecar = Sidecar.start(StraitConfig.parse(Map.of(
                StraitConfig.SOURCE_BOOTSTRAP_SERVERS, CLUSTERS.sourceBootstrapServers(),
                StraitConfig.TARGET_BOOTSTRAP_SERVERS, CLUSTERS.targetBootstrapServers(),
                StraitConfig.TOPICS, "proxied\\..*",
                StraitConfig.HTTP_PORT, "0",
                StraitConfig.PROXY_ENABLED, "true",
                StraitConfig.PROXY_LISTEN_PORT, String.valueOf(port),
                StraitConfig.PROXY_BROKER_PORTS, "2")))) {
            assertThat(sidecar.partNames()).contains("producer proxy");
            assertThat(sidecar.proxyBootstrap()).isEqualTo("127.0.0.1:" + port);

            try (var producer = new KafkaProducer<>(
                    Map.<String, Object>of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            sidecar.proxyBootstrap(),
                            ProducerConfig.ACKS_CONFIG,
                            "all"),
                    new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get();
                }
            }
            try (Admin target = CLUSTERS.clusters().targetAdmin()) {
                eventually("the replicator copies what was written through the proxy", Duration.ofSeconds(60), () -> {
                    long total = 0;
                    for (int p = 0; p < 2; p++) {
                        TopicPartition tp = new TopicPartition(TOPIC, p);
                        var offsets = target.listOffsets(Map.of(tp, OffsetSpec.latest()))
                                .all()
                                .get();
                        total += offsets.get(tp).offset();
                    }
                    return total == 100;
                });
            }
            HttpResponse<String> metrics = StraitProcess.get("http://" + sidecar.httpAddress() + "/metrics");
            assertThat(metrics.body())
                    .contains("strait_proxy_requests_total{api=\"produce\"}")
                    .contains("strait_proxy_connections ");
            HttpResponse<String> gate = StraitProcess.get("http://" + sidecar.httpAddress() + "/gates/producer-proxy");
            assertThat(gate.statusCode()).isEqualTo(200);
            assertThat(gate.body()).contains("\"state\":\"mirroring\"");
        }
    }
}

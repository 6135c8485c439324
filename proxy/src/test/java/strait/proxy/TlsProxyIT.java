package strait.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import strait.embedded.EmbeddedClusters;

/**
 * TLS on both sides of the proxy. The embedded brokers speak plain TCP only, so the TLS upstream is a second proxy
 * with a TLS listener in front of them: client → proxy B (plain) → TLS → proxy A (TLS listener) → brokers. The
 * certificate is made here with the JDK's keytool, for 127.0.0.1, and trusted as a PEM file, with host name
 * verification on (Kafka's default).
 */
class TlsProxyIT {

    private static final String PASSWORD = "proxy-tls-secret";

    @TempDir
    static Path dir;

    private static EmbeddedClusters clusters;
    private static TestProxies proxies;
    private static Path keyStore;
    private static Path certificate;

    @BeforeAll
    static void start() throws Exception {
        clusters = EmbeddedClusters.start();
        proxies = new TestProxies();
        keyStore = dir.resolve("proxy.p12");
        certificate = dir.resolve("proxy.pem");
        keytool(
                "-genkeypair",
                "-alias",
                "proxy",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=IP:127.0.0.1,DNS:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "proxy",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                certificate.toString());
    }

    private static void keytool(String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as(new String(process.getInputStream().readAllBytes()))
                .isZero();
    }

    @AfterAll
    static void stop() {
        if (proxies != null) {
            proxies.close();
        }
        if (clusters != null) {
            clusters.close();
        }
    }

    @Test
    void producersWriteThroughATlsListenerAndOverATlsUpstream() throws Exception {
        String topic = "tls-topic";
        try (Admin admin = clusters.sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        try (ProducerProxy tlsListener = proxies.start(
                        TestProxies.settings(
                                clusters.sourceBootstrapServers(),
                                clusters.targetBootstrapServers(),
                                Map.of(
                                        "proxy.listen.ssl.keystore.location",
                                        keyStore.toString(),
                                        "proxy.listen.ssl.keystore.password",
                                        PASSWORD)),
                        ProduceHook.FORWARD);
                ProducerProxy tlsUpstream = proxies.start(
                        TestProxies.settings(
                                tlsListener.bootstrapAddress(),
                                clusters.targetBootstrapServers(),
                                Map.of(
                                        "source.security.protocol", "SSL",
                                        "source.ssl.truststore.type", "PEM",
                                        "source.ssl.truststore.location", certificate.toString())),
                        ProduceHook.FORWARD)) {
            // a TLS client straight at the TLS listener
            Properties tls = producerProps(tlsListener.bootstrapAddress());
            tls.put("security.protocol", "SSL");
            tls.put("ssl.truststore.type", "PEM");
            tls.put("ssl.truststore.location", certificate.toString());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(tls)) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
                }
            }
            // a plain client at the proxy whose upstream is TLS
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(producerProps(tlsUpstream.bootstrapAddress()))) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
                }
            }
        }
        try (Admin admin = clusters.sourceAdmin()) {
            long total = 0;
            for (int p = 0; p < 3; p++) {
                var tp = new org.apache.kafka.common.TopicPartition(topic, p);
                total += admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .all()
                        .get()
                        .get(tp)
                        .offset();
            }
            assertThat(total).isEqualTo(60);
        }
    }

    private static Properties producerProps(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }
}

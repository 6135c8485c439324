package strait.proxy.internal;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS the proxy speaks to one cluster's brokers, from that side's Kafka client settings: TLS when
 * {@code security.protocol} is {@code SSL} or {@code SASL_SSL}, trusting {@code ssl.truststore.*} (JKS, PKCS12 or
 * PEM; the JVM's default trust when unset), verifying host names unless
 * {@code ssl.endpoint.identification.algorithm} is empty. No key store is ever presented: the proxy has no identity
 * of its own towards a broker, so a listener that authenticates clients by certificate is not reachable through it.
 * Stateless.
 */
public final class UpstreamTls {

    private UpstreamTls() {}

    /** Empty for PLAINTEXT and SASL_PLAINTEXT. */
    public static Optional<ClientSSLOptions> from(Map<String, Object> client) {
        String protocol = string(client, "security.protocol", "PLAINTEXT").toUpperCase(Locale.ROOT);
        if (!protocol.equals("SSL") && !protocol.equals("SASL_SSL")) {
            return Optional.empty();
        }
        ClientSSLOptions options = new ClientSSLOptions();
        String algorithm = string(client, "ssl.endpoint.identification.algorithm", "https");
        options.setHostnameVerificationAlgorithm(algorithm.isEmpty() ? "" : algorithm.toUpperCase(Locale.ROOT));
        try {
            options.setTrustOptions(TrustOptions.wrap(trust(client)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot read the trust store (" + string(client, "ssl.truststore.location", "inline certificates")
                            + "): " + e.getMessage(),
                    e);
        }
        return Optional.of(options);
    }

    private static TrustManagerFactory trust(Map<String, Object> client) throws IOException, GeneralSecurityException {
        String type = string(client, "ssl.truststore.type", "JKS").toUpperCase(Locale.ROOT);
        String location = string(client, "ssl.truststore.location", "");
        String inline = string(client, "ssl.truststore.certificates", "");
        KeyStore store = null;
        if (type.equals("PEM")) {
            store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            byte[] pem = inline.isEmpty()
                    ? Files.readAllBytes(Path.of(location))
                    : inline.getBytes(StandardCharsets.US_ASCII);
            int i = 0;
            for (Certificate cert :
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
        } else if (!location.isEmpty()) {
            store = KeyStore.getInstance(type);
            String password = string(client, "ssl.truststore.password", "");
            try (InputStream in = Files.newInputStream(Path.of(location))) {
                store.load(in, password.isEmpty() ? null : password.toCharArray());
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory;
    }

    private static String string(Map<String, Object> client, String key, String fallback) {
        Object value = client.get(key);
        if (value == null) {
            return fallback;
        }
        // A Password type (when a caller passes parsed settings) prints hidden; its value() is what counts.
        return value instanceof org.apache.kafka.common.config.types.Password p
                ? p.value()
                : value.toString().strip();
    }
}

package strait.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.net.ClientSSLOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamTlsTest {

    @Test
    void plainProtocolsGetNoTls() {
        assertThat(UpstreamTls.from(Map.of())).isEmpty();
        assertThat(UpstreamTls.from(Map.of("security.protocol", "SASL_PLAINTEXT")))
                .isEmpty();
    }

    @Test
    void sslAndSaslSslVerifyHostNamesByDefaultAsKafkaDoes() {
        ClientSSLOptions ssl =
                UpstreamTls.from(Map.of("security.protocol", "SSL")).orElseThrow();
        ClientSSLOptions saslSsl =
                UpstreamTls.from(Map.of("security.protocol", "sasl_ssl")).orElseThrow();

        assertThat(ssl.getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(saslSsl.getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(ssl.getKeyCertOptions())
                .as("the proxy presents no identity of its own")
                .isNull();
    }

    @Test
    void anEmptyIdentificationAlgorithmTurnsHostNameVerificationOff() {
        ClientSSLOptions ssl = UpstreamTls.from(
                        Map.of("security.protocol", "SSL", "ssl.endpoint.identification.algorithm", ""))
                .orElseThrow();

        assertThat(ssl.getHostnameVerificationAlgorithm()).isEmpty();
    }

    @Test
    void anUnreadableTrustStoreIsReportedWithItsLocation() {
        assertThatThrownBy(() -> UpstreamTls.from(Map.of(
                        "security.protocol", "SSL",
                        "ssl.truststore.location", "/nonexistent/trust.p12",
                        "ssl.truststore.type", "PKCS12")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/nonexistent/trust.p12");
    }
}

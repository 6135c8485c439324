package strait.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import strait.config.InvalidConfigException;
import strait.config.StraitConfig;

class ProxySettingsTest {

    private static Map<String, String> base() {
        Map<String, String> props = new HashMap<>();
        props.put("source.bootstrap.servers", "s:9092");
        props.put("target.bootstrap.servers", "t:9092");
        props.put("topics", ".*");
        return props;
    }

    @Test
    void defaultsListenOnLoopbackPort9192AndAdvertiseTheListenHost() {
        ProxySettings settings = ProxySettings.from(StraitConfig.parse(base()));

        assertThat(settings.listenHost()).isEqualTo("127.0.0.1");
        assertThat(settings.listenPort()).isEqualTo(9192);
        assertThat(settings.brokerPorts()).isEqualTo(16);
        assertThat(settings.advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(settings.listenerTls()).isEmpty();
    }

    @Test
    void readsTheListenerAndItsTlsKeyStore() {
        Map<String, String> props = base();
        props.put("proxy.listen.host", "0.0.0.0");
        props.put("proxy.advertised.host", "proxy.internal");
        props.put("proxy.listen.ssl.keystore.location", "/etc/strait/proxy.p12");
        props.put("proxy.listen.ssl.keystore.password", "secret");
        props.put("source.security.protocol", "SASL_SSL");

        ProxySettings settings = ProxySettings.from(StraitConfig.parse(props));

        assertThat(settings.advertisedHost()).isEqualTo("proxy.internal");
        assertThat(settings.listenerTls().orElseThrow().type()).isEqualTo("PKCS12");
        assertThat(settings.listenerTls().orElseThrow().password()).isEqualTo("secret");
        assertThat(settings.client(Cluster.SOURCE)).containsEntry("security.protocol", "SASL_SSL");
        assertThat(settings.toString()).doesNotContain("secret");
        assertThat(StraitConfig.parse(props).masked()).containsEntry("proxy.listen.ssl.keystore.password", "[hidden]");
    }

    @Test
    void brokerPortsThatGoPast65535AreAConfigurationError() {
        Map<String, String> props = base();
        props.put("proxy.listen.port", "65530");
        props.put("proxy.broker.ports", "16");

        assertThatThrownBy(() -> StraitConfig.parse(props))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("proxy.broker.ports");
    }
}

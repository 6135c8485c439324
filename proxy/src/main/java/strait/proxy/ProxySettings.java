package strait.proxy;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import strait.config.StraitConfig;

/**
 * What the proxy needs from the configuration, read once.
 *
 * @param listenHost address every proxy port binds to
 * @param listenPort the bootstrap port; broker ports follow it
 * @param brokerPorts how many broker ports follow the bootstrap port
 * @param advertisedHost host name put in every broker address a client learns
 * @param listenerTls the key store of the proxy's TLS listener; empty: plain TCP
 * @param sourceClient the source's client settings ({@code bootstrap.servers}, {@code security.protocol}, ...)
 * @param targetClient the target's client settings
 */
public record ProxySettings(
        String listenHost,
        int listenPort,
        int brokerPorts,
        String advertisedHost,
        Optional<KeyStoreFile> listenerTls,
        Map<String, Object> sourceClient,
        Map<String, Object> targetClient) {

    /** A key store on disk: {@code type} is {@code PKCS12} or {@code JKS}; the password opens the store and its key. */
    public record KeyStoreFile(String location, String password, String type) {
        public KeyStoreFile {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public String toString() {
            return "KeyStoreFile[" + location + ", " + type + "]";
        }
    }

    public ProxySettings {
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        Objects.requireNonNull(listenerTls, "listenerTls");
        sourceClient = Map.copyOf(sourceClient);
        targetClient = Map.copyOf(targetClient);
    }

    public static ProxySettings from(StraitConfig config) {
        String host = config.getString(StraitConfig.PROXY_LISTEN_HOST);
        String advertised = config.getString(StraitConfig.PROXY_ADVERTISED_HOST);
        String keyStore = config.getString(StraitConfig.PROXY_LISTEN_SSL_KEYSTORE_LOCATION);
        var password = config.getPassword(StraitConfig.PROXY_LISTEN_SSL_KEYSTORE_PASSWORD);
        Optional<KeyStoreFile> tls = Optional.ofNullable(keyStore)
                .map(location -> new KeyStoreFile(
                        location,
                        password == null ? null : password.value(),
                        config.getString(StraitConfig.PROXY_LISTEN_SSL_KEYSTORE_TYPE)));
        return new ProxySettings(
                host,
                config.getInt(StraitConfig.PROXY_LISTEN_PORT),
                config.getInt(StraitConfig.PROXY_BROKER_PORTS),
                advertised == null ? host : advertised,
                tls,
                config.sourceClientProps(),
                config.targetClientProps());
    }

    /** The client settings of one cluster. */
    public Map<String, Object> client(Cluster cluster) {
        return cluster == Cluster.SOURCE ? sourceClient : targetClient;
    }

    @Override
    public String toString() {
        // The client maps may hold SASL secrets: never printed.
        return "ProxySettings[" + listenHost + ":" + listenPort + " +" + brokerPorts + " ports, advertised "
                + advertisedHost + ", tls " + listenerTls.isPresent() + "]";
    }
}

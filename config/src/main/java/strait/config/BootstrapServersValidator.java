package strait.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;

/**
 * Accepts what Kafka's clients accept as {@code bootstrap.servers}: a comma-separated list of {@code host:port}
 * ({@code [v6-address]:port} for IPv6), each port from 1 to 65535, so a malformed address fails {@code validate}
 * instead of the first client built at start-up.
 */
final class BootstrapServersValidator implements ConfigDef.Validator {

    @Override
    public void ensureValid(String name, Object value) {
        String servers = value == null ? "" : ((String) value).strip();
        if (servers.isEmpty()) {
            throw new ConfigException(name, value, "must not be empty");
        }
        for (String raw : servers.split(",", -1)) {
            String address = raw.strip();
            if (address.isEmpty()) {
                throw new ConfigException(name, value, "has an empty entry; give host:port[,host:port...]");
            }
            String host = Utils.getHost(address);
            Integer port;
            try {
                port = Utils.getPort(address);
            } catch (NumberFormatException e) {
                throw new ConfigException(name, value, "'" + address + "' has a port out of range, not 1 to 65535");
            }
            if (host == null || host.isEmpty() || port == null) {
                throw new ConfigException(name, value, "'" + address + "' is not host:port");
            }
            if (port < 1 || port > 65_535) {
                throw new ConfigException(name, value, "'" + address + "' has port " + port + ", not 1 to 65535");
            }
        }
    }

    @Override
    public String toString() {
        return "host:port[,host:port...]";
    }
}

package strait.config;

import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Decides which settings are secret, so no password, token or JAAS config is ever printed, logged or served.
 *
 * <p>A key is secret when Kafka's own client definitions type it {@code PASSWORD}, or when its name says so
 * (password, jaas, secret, credential, token, private key), which also covers keys no client declares.
 */
public final class SecretMasker {

    public static final String MASK = "[hidden]";

    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(password|jaas|secret|credential|token(?!\\.file$)|\\.key$).*");

    private static final Set<String> CLIENT_PASSWORD_KEYS = clientPasswordKeys();

    private SecretMasker() {}

    /** Whether the value of this key (with or without its source./target. prefix) must never be shown. */
    public static boolean isSecret(String key) {
        String bare = key.replaceFirst("^(source|target)\\.", "");
        return CLIENT_PASSWORD_KEYS.contains(bare) || SECRET_NAME.matcher(bare).matches();
    }

    /**
     * Removes anything after '=' in a JAAS-like fragment of a message, for messages from libraries that may quote a
     * value they rejected.
     */
    public static String maskMessage(String message) {
        if (message == null) {
            return "";
        }
        return message.replaceAll(
                        "(?i)(password|secret|token|jaas[^=\\s]*)(\\s*[=:]\\s*)(\"[^\"]*\"|\\S+)", "$1$2" + MASK)
                .replaceAll("(?i)(LoginModule\\s+\\w+)[^;]*;", "$1 " + MASK + ";");
    }

    private static Set<String> clientPasswordKeys() {
        Set<String> keys = new java.util.HashSet<>();
        for (ConfigDef def :
                new ConfigDef[] {ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef()
                }) {
            def.configKeys().values().stream()
                    .filter(k -> k.type == ConfigDef.Type.PASSWORD)
                    .forEach(k -> keys.add(k.name));
        }
        return Set.copyOf(keys);
    }
}

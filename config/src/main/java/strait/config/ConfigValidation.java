package strait.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

/**
 * Finds every problem of a configuration in one pass, where {@link ConfigDef#parse} stops at the first: missing
 * required keys, values of the wrong type or range, unknown keys, and client keys whose values a Kafka client would
 * reject. Each problem is one line that names its key; secret values are never quoted.
 */
final class ConfigValidation {

    private static final List<ConfigDef> CLIENT_DEFS =
            List.of(ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef());

    private ConfigValidation() {}

    static List<String> problems(ConfigDef def, Map<String, String> props) {
        List<String> problems = new ArrayList<>();
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            String raw = props.get(key.name);
            if (raw == null) {
                if (!key.hasDefault()) {
                    problems.add(key.name + ": required but missing");
                }
                continue;
            }
            check(key.name, raw, key.type, key.validator).ifPresent(problems::add);
        }
        for (String name : new TreeSet<>(props.keySet())) {
            if (def.configKeys().containsKey(name)) {
                continue;
            }
            if (!StraitConfig.isPassThrough(name)) {
                problems.add(name + ": unknown key (client settings go under source. or target.)");
                continue;
            }
            clientKey(name)
                    .ifPresent(k -> check(name, props.get(name), k.type, null).ifPresent(problems::add));
            if (name.endsWith(".sasl.jaas.config")) {
                jaasProblem(name, props.get(name)).ifPresent(problems::add);
            }
        }
        return problems;
    }

    /**
     * A JAAS configuration a client could not parse (its value, a secret, is never quoted, nor the parser's message,
     * which may quote it). A value with a {@code ${provider:...}} placeholder is resolved only by the client: not checked.
     */
    private static Optional<String> jaasProblem(String name, String value) {
        if (value == null || value.contains("${")) {
            return Optional.empty();
        }
        try {
            // What every client does with it; its message may quote the value, so it is not repeated.
            JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(value)));
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(name + ": " + SecretMasker.MASK + " is not a valid JAAS configuration for a client"
                    + " (one login module: <LoginModule class> required <option>=\"<value>\" ... ;)");
        }
    }

    private static Optional<ConfigDef.ConfigKey> clientKey(String name) {
        String bare = name.substring(name.indexOf('.') + 1);
        return CLIENT_DEFS.stream()
                .map(d -> d.configKeys().get(bare))
                .filter(k -> k != null)
                .findFirst();
    }

    private static Optional<String> check(String name, String raw, ConfigDef.Type type, ConfigDef.Validator validator) {
        String shown = SecretMasker.isSecret(name) ? SecretMasker.MASK : "'" + raw + "'";
        Object value;
        try {
            value = ConfigDef.parseType(name, raw, type);
        } catch (ConfigException e) {
            return Optional.of(
                    name + ": " + shown + " is not a valid " + type.name().toLowerCase());
        }
        if (validator != null) {
            try {
                validator.ensureValid(name, value);
            } catch (ConfigException e) {
                String reason = e.getMessage() == null ? "invalid" : e.getMessage();
                // ConfigException quotes the value; say it again without risking a secret.
                int cut = reason.indexOf(": ");
                String why = cut >= 0 && reason.startsWith("Invalid value") ? reason.substring(cut + 2) : reason;
                why = why.isEmpty() ? why : Character.toLowerCase(why.charAt(0)) + why.substring(1);
                return Optional.of(name + ": " + shown + " " + why);
            }
        }
        return Optional.empty();
    }
}

package strait.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** A password key, when set, must not be empty. Never quotes the value. */
final class NonEmptyPassword implements ConfigDef.Validator {

    @Override
    public void ensureValid(String name, Object value) {
        if (value instanceof Password password && password.value().isEmpty()) {
            throw new ConfigException(name + " must not be empty when set");
        }
    }

    @Override
    public String toString() {
        return "non-empty string";
    }
}

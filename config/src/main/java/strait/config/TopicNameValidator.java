package strait.config;

import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Accepts a name that can prefix Kafka topic names: letters, digits, '.', '_', '-', at most 200 characters. */
final class TopicNameValidator implements ConfigDef.Validator {

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    @Override
    public void ensureValid(String name, Object value) {
        if (value == null || !LEGAL.matcher((String) value).matches()) {
            throw new ConfigException(name, value, "must be 1 to 200 of the characters a-z A-Z 0-9 . _ -");
        }
    }

    @Override
    public String toString() {
        return "[a-zA-Z0-9._-]{1,200}";
    }
}

package strait.config;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Accepts a compilable Java regex; optionally the empty string, meaning "none". */
final class RegexValidator implements ConfigDef.Validator {

    private final boolean emptyAllowed;

    RegexValidator(boolean emptyAllowed) {
        this.emptyAllowed = emptyAllowed;
    }

    @Override
    public void ensureValid(String name, Object value) {
        String regex = (String) value;
        if (regex == null || regex.isEmpty()) {
            if (emptyAllowed) {
                return;
            }
            throw new ConfigException(name, value, "must be a non-empty Java regex");
        }
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(name, value, "is not a valid Java regex: " + e.getDescription());
        }
    }

    @Override
    public String toString() {
        return emptyAllowed ? "Java regex, or empty" : "Java regex";
    }
}

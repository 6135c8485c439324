package strait.config;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A list of gate names, each one the sidecar serves: a misspelt name in {@code gates.disabled} would otherwise leave
 * the gate on while the operator believes it off, so it is an error naming the word and the gates there are.
 */
final class GateNamesValidator implements ConfigDef.Validator {

    private final List<String> known;

    GateNamesValidator(List<String> known) {
        this.known = List.copyOf(known);
    }

    @Override
    public void ensureValid(String name, Object value) {
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) value;
        List<String> unknown = names.stream()
                .map(String::strip)
                .filter(n -> !known.contains(n))
                .map(n -> "'" + n + "'")
                .collect(Collectors.toList());
        if (!unknown.isEmpty()) {
            throw new ConfigException(
                    name,
                    value,
                    "names " + (unknown.size() == 1 ? "an unknown gate " : "unknown gates ")
                            + String.join(", ", unknown) + "; the gates are " + String.join(", ", known));
        }
    }

    @Override
    public String toString() {
        return "comma-separated gate names: " + String.join(", ", known);
    }
}

package strait.gates;

import java.util.Objects;

/**
 * Names one registered input of the gates and its type, so a module can add a gate and the input it judges
 * ({@link GateInputSources#with}) without a slot of its own in {@link GateInputs}.
 *
 * @param name what the input is, in reasons such as {@code "no data yet for proxy state"}
 * @param type the class of its value, checked when the value is read
 */
public record InputKey<T>(String name, Class<T> type) {

    public InputKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }
}

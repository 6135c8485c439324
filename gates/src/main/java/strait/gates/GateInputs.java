package strait.gates;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable snapshot of everything the gates judge, each part with its own refresh time. Empty parts have
 * not been produced yet. The replicator's and the group sync's parts have fields; any other gate's input is a
 * registered one, read with {@link #input}.
 */
public record GateInputs(
        Optional<Refreshed<List<PartitionLag>>> lag,
        Optional<Refreshed<List<ResumePoint>>> resumePoints,
        Optional<Refreshed<List<TopicParity>>> topicParity,
        Map<InputKey<?>, Refreshed<?>> registered) {

    public GateInputs {
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(resumePoints, "resumePoints");
        Objects.requireNonNull(topicParity, "topicParity");
        registered = Map.copyOf(registered);
    }

    /** Nothing produced yet: every gate fails with "no data yet". */
    public static GateInputs empty() {
        return new GateInputs(Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }

    /** A registered input's latest value, or empty when its provider has produced none. */
    public <T> Optional<Refreshed<T>> input(InputKey<T> key) {
        Refreshed<?> value = registered.get(key);
        if (value == null) {
            return Optional.empty();
        }
        return Optional.of(Refreshed.of(key.type().cast(value.value()), value.at()));
    }
}

package strait.gates;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Everything the gates read from the rest of the sidecar, as small interfaces the composition root implements.
 *
 * @param lag per-partition lag, from the replicator
 * @param resumePoints every in-scope group's translated resume points, from the group sync
 * @param topicParity each replicated topic compared with the target, from the replicator's topic sync
 * @param translator single-offset translation for {@code /offsets/translate} (event-loop safe)
 * @param registered the inputs of gates other modules add (the producer proxy's state, ...), by key
 */
public record GateInputSources(
        InputProvider<List<PartitionLag>> lag,
        InputProvider<List<ResumePoint>> resumePoints,
        InputProvider<List<TopicParity>> topicParity,
        Translator translator,
        Map<InputKey<?>, InputProvider<?>> registered) {

    public GateInputSources {
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(resumePoints, "resumePoints");
        Objects.requireNonNull(topicParity, "topicParity");
        Objects.requireNonNull(translator, "translator");
        registered = Map.copyOf(registered);
    }

    /** The replicator's and the group sync's inputs, with nothing registered yet. */
    public GateInputSources(
            InputProvider<List<PartitionLag>> lag,
            InputProvider<List<ResumePoint>> resumePoints,
            InputProvider<List<TopicParity>> topicParity,
            Translator translator) {
        this(lag, resumePoints, topicParity, translator, Map.of());
    }

    /** These sources and one more registered input. */
    public <T> GateInputSources with(InputKey<T> key, InputProvider<T> provider) {
        Map<InputKey<?>, InputProvider<?>> more = new HashMap<>(registered);
        if (more.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(provider, "provider")) != null) {
            throw new IllegalArgumentException("the input " + key.name() + " is registered twice");
        }
        return new GateInputSources(lag, resumePoints, topicParity, translator, more);
    }

    /**
     * Reads every provider once. A provider that throws counts as having no data, so only its own gate fails.
     * Called only from the evaluation worker.
     */
    public GateInputs read() {
        Map<InputKey<?>, Refreshed<?>> values = new HashMap<>();
        registered.forEach((key, provider) -> orEmpty(key.name(), provider).ifPresent(v -> values.put(key, v)));
        return new GateInputs(
                orEmpty("lag", lag),
                orEmpty("resume points", resumePoints),
                orEmpty("topic parity", topicParity),
                values);
    }

    private static <T> Optional<Refreshed<T>> orEmpty(String part, InputProvider<T> provider) {
        try {
            Optional<Refreshed<T>> latest = provider.latest();
            return latest == null ? Optional.empty() : latest;
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(GateInputSources.class).warn("reading the {} input failed: {}", part, e.toString());
            return Optional.empty();
        }
    }
}

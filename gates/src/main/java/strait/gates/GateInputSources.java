package strait.gates;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Everything the gates read from the rest of the sidecar, as small interfaces the composition root implements.
 *
 * @param lag per-partition lag, from the replicator
 * @param resumePoints every in-scope group's translated resume points, from the group sync
 * @param topicParity each replicated topic compared with the target, from the replicator's topic sync
 * @param proxy the producer proxy's state
 * @param translator single-offset translation for {@code /offsets/translate} (event-loop safe)
 */
public record GateInputSources(
        InputProvider<List<PartitionLag>> lag,
        InputProvider<List<ResumePoint>> resumePoints,
        InputProvider<List<TopicParity>> topicParity,
        InputProvider<ProxyState> proxy,
        Translator translator) {

    public GateInputSources {
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(resumePoints, "resumePoints");
        Objects.requireNonNull(topicParity, "topicParity");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(translator, "translator");
    }

    /**
     * Reads every provider once. A provider that throws counts as having no data, so only its own gate fails.
     * Called only from the evaluation worker.
     */
    public GateInputs read() {
        return new GateInputs(
                orEmpty("lag", lag),
                orEmpty("resume points", resumePoints),
                orEmpty("topic parity", topicParity),
                orEmpty("proxy state", proxy));
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

package strait.gates;

import java.util.List;
import java.util.Objects;

/**
 * How one replicated topic on the target compares with its source.
 *
 * @param onTarget whether the topic exists on the target at all
 * @param targetPartitions partition count on the target; meaningless when {@code onTarget} is false
 * @param configDifferences one line per replicated config that differs, e.g. {@code "retention.ms: source 1000, target 2000"};
 *     for a topic missing on the target, why it could not be created, when known
 */
public record TopicParity(
        String topic, boolean onTarget, int sourcePartitions, int targetPartitions, List<String> configDifferences) {

    public TopicParity {
        Objects.requireNonNull(topic, "topic");
        configDifferences = List.copyOf(configDifferences);
    }

    public static TopicParity same(String topic, int partitions) {
        return new TopicParity(topic, true, partitions, partitions, List.of());
    }

    public static TopicParity missingOnTarget(String topic, int sourcePartitions) {
        return new TopicParity(topic, false, sourcePartitions, 0, List.of());
    }

    /** Every difference as a sentence; empty when the topic is at parity. */
    public List<String> differences() {
        if (!onTarget) {
            return configDifferences.isEmpty() ? List.of("missing on the target") : configDifferences;
        }
        List<String> out = new java.util.ArrayList<>();
        if (sourcePartitions != targetPartitions) {
            out.add("partitions: source " + sourcePartitions + ", target " + targetPartitions);
        }
        out.addAll(configDifferences);
        return out;
    }
}

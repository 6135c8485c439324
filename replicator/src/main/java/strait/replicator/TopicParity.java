package strait.replicator;

import java.util.List;

/**
 * How one replicated topic's target compares with its source. Immutable.
 *
 * @param writable whether the replicator writes to it; false when the target has fewer partitions or another
 *                 cleanup.policy (see {@code problems})
 * @param problems every difference found, one sentence each; empty when the topic is at parity
 */
public record TopicParity(
        String topic, int sourcePartitions, int targetPartitions, boolean writable, List<String> problems) {
    public TopicParity {
        problems = List.copyOf(problems);
    }
}

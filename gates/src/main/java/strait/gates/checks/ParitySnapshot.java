package strait.gates.checks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@code data-parity} gate judges: records sampled at mapped offsets and compared on both clusters.
 * Immutable; built by the {@link ParitySampler}'s thread, read by the evaluation worker.
 *
 * @param partitionsChecked partitions with at least one sample compared, in the latest sample of each
 * @param samplesCompared records compared, in the latest sample of each partition
 * @param recordsRead records read from both clusters since the sampler started (its load on them)
 * @param mismatches every sampled record found different, in the latest sample of each partition
 * @param problem why the clusters could not be read (empty when they could)
 */
public record ParitySnapshot(
        int partitionsChecked,
        long samplesCompared,
        long recordsRead,
        List<ParityMismatch> mismatches,
        Optional<String> problem) {

    public ParitySnapshot {
        mismatches = List.copyOf(mismatches);
        Objects.requireNonNull(problem, "problem");
    }
}

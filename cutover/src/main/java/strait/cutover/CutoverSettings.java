package strait.cutover;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import strait.config.StraitConfig;

/**
 * The cutover's settings, read once from {@link StraitConfig}.
 *
 * @param fenceMax longest the fence may hold writes before the cutover aborts
 * @param fenceLagMaxRecords the replication lag still allowed when the fence goes up
 * @param fenceVerify how long the source's end offsets must stay still under the fence
 * @param consumersMax longest the MOVING_CONSUMERS step may take, on top of {@code fenceMax}
 * @param poll how often a step looks again at what it waits for
 * @param evidenceFile where every transition is appended as a JSON line, next to the gates' ones
 */
public record CutoverSettings(
        Duration fenceMax,
        long fenceLagMaxRecords,
        Duration fenceVerify,
        Duration consumersMax,
        Duration poll,
        Optional<Path> evidenceFile) {

    public static CutoverSettings from(StraitConfig config) {
        String evidence = config.getString(StraitConfig.GATES_EVIDENCE_FILE);
        return new CutoverSettings(
                Duration.ofMillis(config.getLong(StraitConfig.CUTOVER_FENCE_MAX_MS)),
                config.getLong(StraitConfig.CUTOVER_FENCE_LAG_MAX_RECORDS),
                Duration.ofMillis(config.getLong(StraitConfig.CUTOVER_FENCE_VERIFY_MS)),
                Duration.ofMillis(config.getLong(StraitConfig.CUTOVER_CONSUMERS_MAX_MS)),
                Duration.ofMillis(10),
                Optional.ofNullable(evidence).map(Path::of));
    }
}

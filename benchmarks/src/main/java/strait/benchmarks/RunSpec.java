package strait.benchmarks;

import java.nio.file.Path;
import java.util.List;

/**
 * One replicator run: what to copy from where to where. {@code bulkTopic} is loaded before the run and shared by both
 * replicators of a repeat; {@code latencyTopic} is this run's own, empty at start, fed at a fixed rate after the copy.
 * With {@code sameCodecOnTarget} both replicators' target producers compress with the source's codec, so the target
 * holds data compressed like the source; without it each producer keeps its default (no compression).
 */
record RunSpec(
        String runId,
        String sourceBootstrap,
        String targetBootstrap,
        String bulkTopic,
        String latencyTopic,
        List<String> groups,
        String compression,
        boolean sameCodecOnTarget,
        Path workDir) {

    /** Anchored regex matching exactly this run's two source topics. */
    String topicsRegex() {
        return "^(" + java.util.regex.Pattern.quote(bulkTopic) + "|" + java.util.regex.Pattern.quote(latencyTopic)
                + ")$";
    }

    String groupsRegex() {
        StringBuilder b = new StringBuilder("^(");
        for (int i = 0; i < groups.size(); i++) {
            b.append(i == 0 ? "" : "|").append(java.util.regex.Pattern.quote(groups.get(i)));
        }
        return b.append(")$").toString();
    }
}

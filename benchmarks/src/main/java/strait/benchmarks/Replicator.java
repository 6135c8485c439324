package strait.benchmarks;

import java.io.IOException;
import java.util.Map;

/** A replicator under test, run as its own process. */
interface Replicator {

    /** Short name for tables: {@code strait} or {@code mm2}. */
    String name();

    /** The target topic a source topic is copied to. */
    String targetTopic(RunSpec spec, String sourceTopic);

    /** Starts the replicator's process for this run; the caller stops it. */
    Child start(RunSpec spec) throws IOException;

    /**
     * The target offsets the replicator translates {@code group}'s committed source offsets on {@code spec.bulkTopic()}
     * to, by source partition; partitions without a (valid) translation are absent.
     */
    Map<Integer, Long> translate(RunSpec spec, Child process, String group) throws Exception;
}

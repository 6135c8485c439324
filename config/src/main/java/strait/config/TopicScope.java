package strait.config;

import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which source topics a link migrates: a topic is in scope when it matches {@code topics}, does not match {@code
 * topics.exclude} and is not internal ({@link #isInternal}). The replicator copies exactly the topics in scope and the
 * group sync translates exactly the committed offsets on them: one predicate for both, so a topic is never copied
 * while its consumer groups are left behind, nor the other way round.
 *
 * <p>Immutable; any thread.
 */
public final class TopicScope implements Predicate<String> {

    private static final String INTERNAL = ".internal";
    private static final String OFFSETS = ".offsets" + INTERNAL;
    private static final String FENCE = ".fence" + INTERNAL;
    private static final String CHECKPOINTS = ".checkpoints" + INTERNAL;
    private static final String CUTOVER = ".cutover" + INTERNAL;

    /** MirrorMaker 2's own topics: its Connect topics in dedicated mode, offset syncs, checkpoints, heartbeats. */
    private static final Pattern MM2 = Pattern.compile("mm2-(offsets|configs|status|offset-syncs)\\..+\\.internal"
            + "|.+\\.checkpoints\\.internal"
            + "|(.+\\.)?heartbeats");

    private final Pattern include;
    private final Optional<Pattern> exclude;
    private final String linkName;

    public TopicScope(Pattern include, Optional<Pattern> exclude, String linkName) {
        this.include = include;
        this.exclude = exclude;
        this.linkName = linkName;
    }

    /** The scope {@code config} declares ({@code topics}, {@code topics.exclude}, {@code link.name}). */
    public static TopicScope of(StraitConfig config) {
        return new TopicScope(config.topics(), config.topicsExclude(), config.linkName());
    }

    /** Whether {@code topic} is migrated: copied, and the group offsets on it translated. */
    @Override
    public boolean test(String topic) {
        return !isInternal(topic, linkName)
                && include.matcher(topic).matches()
                && exclude.map(x -> !x.matcher(topic).matches()).orElse(true);
    }

    /**
     * The one rule for internal topics, which no {@code topics} pattern can bring into scope. A topic is internal
     * when it belongs to the cluster or to a replication tool rather than to an application:
     *
     * <ul>
     *   <li>Kafka's own topics: every name starting with {@code __} ({@code __consumer_offsets},
     *       {@code __transaction_state}, {@code __share_group_state}, ...; the prefix Kafka and the platforms on it
     *       keep for themselves). The target has its own; group offsets are migrated by translation, not by copy.
     *   <li>MirrorMaker 2's topics: {@code mm2-offsets.*.internal}, {@code mm2-configs.*.internal},
     *       {@code mm2-status.*.internal}, {@code mm2-offset-syncs.*.internal}, {@code *.checkpoints.internal},
     *       {@code heartbeats} and {@code *.heartbeats}. They describe an MM2 deployment on the source; a copy on the
     *       target would be read by MM2-era tooling as that deployment's state.
     *   <li>This link's own topics on the target: {@link #offsetsTopic}, {@link #fenceTopic},
     *       {@link #checkpointsTopic} and {@link #cutoverTopic}, so a link whose source is another link's target does not copy them.
     * </ul>
     *
     * <p>Any other name is an application's topic, whatever it ends with: {@code billing.internal} is copied and the
     * offsets of its consumer groups are translated. A suffix is an application's naming choice, not a mark of
     * infrastructure, and in a migration the costly mistake is the silent one: a topic left out is data missing on
     * the target, or a group that restarts from its reset policy after the cutover.
     */
    public static boolean isInternal(String topic, String linkName) {
        return topic.startsWith("__")
                || MM2.matcher(topic).matches()
                || topic.equals(offsetsTopic(linkName))
                || topic.equals(fenceTopic(linkName))
                || topic.equals(checkpointsTopic(linkName))
                || topic.equals(cutoverTopic(linkName));
    }

    /** The link's persisted offset maps on the target. */
    public static String offsetsTopic(String linkName) {
        return linkName + OFFSETS;
    }

    /** The link's fence on the target (one writing instance at a time). */
    public static String fenceTopic(String linkName) {
        return linkName + FENCE;
    }

    /** The link's cutover state on the target (where a restarted sidecar learns whether producers moved). */
    public static String cutoverTopic(String linkName) {
        return linkName + CUTOVER;
    }

    /** The link's MirrorMaker 2-format checkpoints on the target ({@code link.name} is the MM2 source alias). */
    public static String checkpointsTopic(String linkName) {
        return linkName + CHECKPOINTS;
    }
}

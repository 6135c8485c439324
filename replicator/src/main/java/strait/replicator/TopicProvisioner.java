package strait.replicator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.TopicScope;

/**
 * Finds the source topics in scope and makes their target topics fit to receive them: creates a missing target
 * topic with the source's partition count and replicated configs, grows a target topic's partitions to the source's,
 * never shrinks or deletes anything, and reports every difference. A target with fewer partitions, another
 * {@code cleanup.policy} or {@code LogAppendTime} timestamps (which would overwrite the source timestamps) is not
 * writable.
 *
 * <p>Timestamps: target topics are created with {@code message.timestamp.type=CreateTime} whatever the source has, so
 * the timestamp the replicator sets (a LogAppendTime source's append time included) is the one stored.
 *
 * <p>Threads: admin worker only.
 */
final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final long TIMEOUT_S = 30;

    /** Configs copied to a created target topic and compared for parity. */
    static final List<String> REPLICATED_CONFIGS = List.of(
            "cleanup.policy",
            "retention.ms",
            "retention.bytes",
            "max.message.bytes",
            "compression.type",
            "min.compaction.lag.ms",
            "delete.retention.ms",
            "segment.bytes",
            "message.timestamp.before.max.ms",
            "message.timestamp.after.max.ms");

    static final String TIMESTAMP_TYPE = "message.timestamp.type";

    private final Admin source;
    private final Admin target;
    private final Predicate<String> scope;
    private final Optional<Short> replicationFactor;

    /**
     * One sync's outcome: parity per topic, the partition count to replicate for each writable topic, what each
     * target topic refuses, and the id of every source topic in scope (a new id under a known name is a topic that
     * was deleted and created again).
     */
    record Result(
            List<TopicParity> parity,
            Map<String, Integer> writable,
            Map<String, TargetLimits> limits,
            Map<String, Uuid> sourceTopicIds) {}

    /** {@code scope}: the link's {@link TopicScope}, the same predicate the group sync translates by. */
    TopicProvisioner(Admin source, Admin target, Predicate<String> scope, short replicationFactor) {
        this.source = source;
        this.target = target;
        this.scope = scope;
        this.replicationFactor = replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor);
    }

    /** Whether a source topic is in scope: matches {@code topics}, not {@code topics.exclude}, not internal. */
    boolean inScope(String topic) {
        return scope.test(topic);
    }

    Result sync() throws Exception {
        Set<String> topics = new TreeSet<>();
        for (String t : get(
                source.listTopics(new ListTopicsOptions().listInternal(false)).names())) {
            if (inScope(t)) {
                topics.add(t);
            }
        }
        if (topics.isEmpty()) {
            return new Result(List.of(), Map.of(), Map.of(), Map.of());
        }
        Map<String, TopicDescription> src = get(source.describeTopics(topics).allTopicNames());
        Map<String, Config> srcConfigs = configs(source, topics, "source");
        Set<String> existing = get(
                target.listTopics(new ListTopicsOptions().listInternal(false)).names());
        Map<String, String> failed = new HashMap<>();
        Set<String> created = create(topics, existing, src, srcConfigs, failed);
        Map<String, TopicDescription> tgt = existingOnly(target, topics);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long backoffMs = 5;
        while (!led(tgt, created) && System.nanoTime() < deadline) {
            // A topic just created is not known to every broker at once: without this wait it would count as
            // missing, and not be copied, until the next refresh. Until its partitions have leaders the first
            // write would wait out a metadata backoff. Asked again soon at first: this is on the way to it.
            Thread.sleep(backoffMs);
            backoffMs = Math.min(100, backoffMs * 2);
            tgt = existingOnly(target, topics);
        }
        grow(src, tgt, failed);
        tgt = existingOnly(target, topics);
        Map<String, Config> tgtConfigs = configs(target, tgt.keySet(), "target");

        List<TopicParity> parity = new ArrayList<>();
        Map<String, Integer> writable = new TreeMap<>();
        Map<String, TargetLimits> limits = new TreeMap<>();
        for (String topic : topics) {
            int sp = src.get(topic).partitions().size();
            if (!tgt.containsKey(topic)) {
                parity.add(new TopicParity(
                        topic,
                        sp,
                        0,
                        false,
                        List.of(
                                failed.containsKey(topic)
                                        ? "missing on the target and could not be created: " + failed.get(topic)
                                        : "missing on the target")));
                LOG.warn("target topic {} is missing and could not be created", topic);
                continue;
            }
            int tp = tgt.get(topic).partitions().size();
            List<String> problems = new ArrayList<>();
            boolean ok = true;
            if (tp < sp) {
                problems.add("target has " + tp + " partitions, source " + sp
                        + (failed.containsKey(topic) ? "; could not add partitions: " + failed.get(topic) : ""));
                ok = false;
            } else if (tp > sp) {
                // Still copied partition for partition; but a producer moved to the target would spread its keys
                // over every partition there, so a key's records would change partition at the switch.
                problems.add("target has " + tp + " partitions, source " + sp
                        + ": after the switch producers' keys would map to other partitions than on the source");
            }
            for (String key : REPLICATED_CONFIGS) {
                String sv = value(srcConfigs.get(topic), key);
                String tv = value(tgtConfigs.get(topic), key);
                // A key the source's Kafka does not have (the timestamp bounds before 3.6) is not compared.
                if (sv != null && !sv.equals(tv)) {
                    problems.add(key + " differs: source " + sv + ", target " + tv);
                    if (key.equals("cleanup.policy")) {
                        ok = false;
                    }
                }
            }
            if ("LogAppendTime".equals(value(tgtConfigs.get(topic), TIMESTAMP_TYPE))) {
                problems.add("target message.timestamp.type is LogAppendTime: it would replace the source timestamps");
                ok = false;
            }
            parity.add(new TopicParity(topic, sp, tp, ok, problems));
            limits.put(topic, limits(tgtConfigs.get(topic)));
            if (ok) {
                writable.put(topic, sp);
            } else {
                LOG.warn("target topic {} is not written to: {}", topic, problems);
            }
        }
        Map<String, Uuid> ids = new TreeMap<>();
        src.forEach((topic, description) -> ids.put(topic, description.topicId()));
        return new Result(parity, writable, limits, ids);
    }

    /** What the target topic refuses record by record, from its configs. */
    static TargetLimits limits(Config config) {
        String max = value(config, "max.message.bytes");
        int maxBatch = max != null ? Integer.parseInt(max.trim()) : -1;
        String policy = value(config, "cleanup.policy");
        // Brokers before Kafka 3.6 have one symmetric bound instead of the two.
        long difference = longValue(config, "message.timestamp.difference.max.ms", Long.MAX_VALUE);
        return new TargetLimits(
                maxBatch,
                policy != null && policy.contains("compact"),
                longValue(config, "message.timestamp.before.max.ms", difference),
                longValue(config, "message.timestamp.after.max.ms", difference));
    }

    private static long longValue(Config config, String key, long otherwise) {
        String v = value(config, key);
        try {
            return v == null ? otherwise : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Whether every topic of {@code created} is described and each of its partitions has a leader. */
    static boolean led(Map<String, TopicDescription> described, Set<String> created) {
        for (String topic : created) {
            TopicDescription d = described.get(topic);
            if (d == null
                    || d.partitions().stream()
                            .anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                return false;
            }
        }
        return true;
    }

    /** Creates the missing target topics and returns them; why one could not be created goes into {@code failed}. */
    private Set<String> create(
            Set<String> topics,
            Set<String> existing,
            Map<String, TopicDescription> src,
            Map<String, Config> srcConfigs,
            Map<String, String> failed)
            throws Exception {
        List<NewTopic> missing = new ArrayList<>();
        for (String topic : topics) {
            if (existing.contains(topic)) {
                continue;
            }
            Map<String, String> configs = new HashMap<>();
            for (String key : REPLICATED_CONFIGS) {
                String v = value(srcConfigs.get(topic), key);
                if (v != null) {
                    configs.put(key, v);
                }
            }
            configs.put(TIMESTAMP_TYPE, "CreateTime");
            missing.add(
                    new NewTopic(topic, Optional.of(src.get(topic).partitions().size()), replicationFactor)
                            .configs(configs));
        }
        Set<String> created = new TreeSet<>();
        if (missing.isEmpty()) {
            return created;
        }
        for (Map.Entry<String, KafkaFuture<Void>> e :
                target.createTopics(missing).values().entrySet()) {
            try {
                e.getValue().get(TIMEOUT_S, TimeUnit.SECONDS);
                created.add(e.getKey());
                LOG.info("created target topic {}", e.getKey());
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    failed.put(e.getKey(), Failures.describe(ex));
                    LOG.warn("cannot create target topic {}: {}", e.getKey(), Failures.describe(ex));
                }
            }
        }
        return created;
    }

    /** Adds partitions to target topics with fewer than the source; why one could not grow goes into {@code failed}. */
    private void grow(Map<String, TopicDescription> src, Map<String, TopicDescription> tgt, Map<String, String> failed)
            throws Exception {
        Map<String, NewPartitions> grow = new HashMap<>();
        src.forEach((topic, d) -> {
            TopicDescription t = tgt.get(topic);
            if (t != null && t.partitions().size() < d.partitions().size()) {
                grow.put(topic, NewPartitions.increaseTo(d.partitions().size()));
            }
        });
        if (grow.isEmpty()) {
            return;
        }
        for (Map.Entry<String, KafkaFuture<Void>> e :
                target.createPartitions(grow).values().entrySet()) {
            try {
                e.getValue().get(TIMEOUT_S, TimeUnit.SECONDS);
                LOG.info(
                        "grew target topic {} to {} partitions",
                        e.getKey(),
                        grow.get(e.getKey()).totalCount());
            } catch (ExecutionException ex) {
                failed.put(e.getKey(), Failures.describe(ex));
                LOG.warn("cannot grow target topic {}: {}", e.getKey(), Failures.describe(ex));
            }
        }
    }

    /** Descriptions of the topics that exist on {@code admin}'s cluster; a missing topic is left out. */
    private static Map<String, TopicDescription> existingOnly(Admin admin, Set<String> topics) throws Exception {
        Map<String, TopicDescription> found = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e :
                admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                found.put(e.getKey(), e.getValue().get(TIMEOUT_S, TimeUnit.SECONDS));
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw ex.getCause() instanceof Exception cause ? cause : ex;
                }
            }
        }
        return found;
    }

    /** The configs of {@code topics}; a denial names the topic, which Kafka's exception here does not. */
    private static Map<String, Config> configs(Admin admin, Collection<String> topics, String side) throws Exception {
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList();
        Map<String, Config> byTopic = new HashMap<>();
        for (Map.Entry<ConfigResource, KafkaFuture<Config>> e :
                admin.describeConfigs(resources).values().entrySet()) {
            String topic = e.getKey().name();
            try {
                byTopic.put(topic, get(e.getValue()));
            } catch (TopicAuthorizationException denied) {
                throw new TopicAuthorizationException(
                        "not authorized to describe the configs of topic " + topic + " on the " + side, Set.of(topic));
            }
        }
        return byTopic;
    }

    private static String value(Config config, String key) {
        if (config == null) {
            return null;
        }
        ConfigEntry entry = config.get(key);
        return entry == null ? null : entry.value();
    }

    private static <T> T get(KafkaFuture<T> future) throws Exception {
        try {
            return future.get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}

package strait.offsets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import strait.offsets.PartitionOffset.InvalidReason;

/**
 * Reads the committed offsets of every in-scope source group and translates them through the {@link OffsetMaps},
 * checking the target: a missing partition, or a translated offset below the target's log start, makes a partition
 * invalid. Called only from the group worker's thread (its Admin calls block).
 */
final class GroupTranslator {

    private final Admin source;
    private final Admin target;
    private final OffsetMaps maps;
    private final Pattern groups;
    private final Predicate<String> topicInScope;
    private final Duration timeout;

    GroupTranslator(
            Admin source,
            Admin target,
            OffsetMaps maps,
            Pattern groups,
            Predicate<String> topicInScope,
            Duration timeout) {
        this.source = source;
        this.target = target;
        this.maps = maps;
        this.groups = groups;
        this.topicInScope = topicInScope;
        this.timeout = timeout;
    }

    /** Every in-scope group with committed offsets on replicated topics, translated; sync not attempted. */
    List<GroupOffsets> translateAll() {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = committedOffsets(groupIds());
        Set<String> topics = new HashSet<>();
        committed.values().forEach(offsets -> offsets.keySet().forEach(tp -> topics.add(tp.topic())));
        Map<String, Integer> targetPartitions = targetPartitionCounts(topics);
        Map<TopicPartition, Long> targetLogStarts = targetLogStarts(committed, targetPartitions);
        List<GroupOffsets> result = new ArrayList<>();
        committed.forEach((group, offsets) -> {
            List<PartitionOffset> partitions = new ArrayList<>();
            offsets.forEach((tp, commit) -> partitions.add(translate(tp, commit, targetPartitions, targetLogStarts)));
            partitions.sort(Comparator.comparing(PartitionOffset::topic).thenComparingInt(PartitionOffset::partition));
            result.add(new GroupOffsets(group, partitions, GroupOffsets.GroupSync.NOT_ATTEMPTED));
        });
        return result;
    }

    private PartitionOffset translate(
            TopicPartition tp,
            OffsetAndMetadata commit,
            Map<String, Integer> targetPartitions,
            Map<TopicPartition, Long> targetLogStarts) {
        long s = commit.offset();
        String metadata = commit.metadata() == null ? "" : commit.metadata();
        if (targetPartitions.getOrDefault(tp.topic(), 0) <= tp.partition()) {
            return PartitionOffset.invalid(
                    tp.topic(), tp.partition(), s, InvalidReason.PARTITION_MISSING_ON_TARGET, metadata);
        }
        Translation translation = maps.translate(tp, s);
        if (translation instanceof Translation.Exact exact) {
            Long logStart = targetLogStarts.get(tp);
            if (logStart != null && exact.targetOffset() < logStart) {
                return PartitionOffset.invalid(
                        tp.topic(), tp.partition(), s, InvalidReason.BELOW_TARGET_RETENTION, metadata);
            }
            return PartitionOffset.exact(tp.topic(), tp.partition(), s, exact.targetOffset(), metadata);
        }
        InvalidReason reason = translation instanceof Translation.BelowRetention
                ? InvalidReason.BELOW_SOURCE_RETENTION
                : InvalidReason.NOT_YET_REPLICATED;
        return PartitionOffset.invalid(tp.topic(), tp.partition(), s, reason, metadata);
    }

    /**
     * The listed groups {@code groups} matches, plus the ones it names outright: Kafka lists only the groups a
     * principal may describe, so a named group missing from the list is asked for anyway, and a denial fails the round
     * with the group's name instead of the group silently not being translated.
     */
    private Set<String> groupIds() {
        Set<String> ids = new TreeSet<>();
        for (GroupListing listing : AdminCalls.await(source.listGroups().all(), timeout, "listing source groups")) {
            boolean consumerGroup = listing.type()
                    .map(t -> t == GroupType.CLASSIC || t == GroupType.CONSUMER)
                    .orElse(true);
            if (consumerGroup && groups.matcher(listing.groupId()).matches()) {
                ids.add(listing.groupId());
            }
        }
        ids.addAll(namedGroups(groups));
        return ids;
    }

    /** The group ids a {@code groups} regex spells out as alternatives ({@code billing|analytics}); none for others. */
    static Set<String> namedGroups(Pattern groups) {
        Set<String> named = new TreeSet<>();
        for (String alternative : groups.pattern().split("\\|", -1)) {
            // Letters, digits, '_', '-', '.' and escaped dots only: anything else is a pattern, not a name.
            if (!alternative.matches("([A-Za-z0-9_.-]|\\\\\\.)+")) {
                return Set.of();
            }
            named.add(alternative.replace("\\.", "."));
        }
        return named;
    }

    private Map<String, Map<TopicPartition, OffsetAndMetadata>> committedOffsets(Set<String> ids) {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> result = new HashMap<>();
        if (ids.isEmpty()) {
            return result;
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        ids.forEach(id -> specs.put(id, new ListConsumerGroupOffsetsSpec()));
        ListConsumerGroupOffsetsResult listed = source.listConsumerGroupOffsets(specs);
        Map<String, Map<TopicPartition, OffsetAndMetadata>> all = new HashMap<>();
        for (String id : ids) {
            try {
                all.put(
                        id,
                        AdminCalls.await(
                                listed.partitionsToOffsetAndMetadata(id),
                                timeout,
                                "reading the commits of source group " + id));
            } catch (AdminCalls.AdminCallException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw e;
                }
            }
        }
        all.forEach((group, offsets) -> {
            Map<TopicPartition, OffsetAndMetadata> inScope = new HashMap<>();
            offsets.forEach((tp, commit) -> {
                if (commit != null && topicInScope.test(tp.topic())) {
                    inScope.put(tp, commit);
                }
            });
            if (!inScope.isEmpty()) {
                result.put(group, inScope);
            }
        });
        return result;
    }

    private Map<String, Integer> targetPartitionCounts(Set<String> topics) {
        Map<String, Integer> counts = new HashMap<>();
        if (topics.isEmpty()) {
            return counts;
        }
        Map<String, KafkaFuture<TopicDescription>> futures =
                target.describeTopics(topics).topicNameValues();
        futures.forEach((topic, future) -> {
            try {
                counts.put(
                        topic,
                        AdminCalls.await(future, timeout, "describing " + topic + " on the target")
                                .partitions()
                                .size());
            } catch (AdminCalls.AdminCallException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
        });
        return counts;
    }

    private Map<TopicPartition, Long> targetLogStarts(
            Map<String, Map<TopicPartition, OffsetAndMetadata>> committed, Map<String, Integer> targetPartitions) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        committed
                .values()
                .forEach(offsets -> offsets.keySet().forEach(tp -> {
                    if (targetPartitions.getOrDefault(tp.topic(), 0) > tp.partition()) {
                        request.put(tp, OffsetSpec.earliest());
                    }
                }));
        Map<TopicPartition, Long> starts = new HashMap<>();
        if (request.isEmpty()) {
            return starts;
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> infos =
                AdminCalls.await(target.listOffsets(request).all(), timeout, "reading target log start offsets");
        infos.forEach((tp, info) -> starts.put(tp, info.offset()));
        return starts;
    }
}

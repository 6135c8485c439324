package strait.offsets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import strait.offsets.GroupOffsets.GroupSync;

/**
 * Commits translated offsets, with the source commit's metadata, to the same group id on the target, only while that
 * group is empty or absent there (the broker refuses otherwise), and never moves a target partition backwards.
 * Called only from the group worker's thread.
 */
final class GroupSyncer {

    /** A group's sync outcome and how many partition offsets were committed for it this round. */
    record Outcome(GroupOffsets group, int committed, String failureKind) {}

    private final Admin target;
    private final Duration timeout;

    GroupSyncer(Admin target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
    }

    List<Outcome> sync(List<GroupOffsets> groups) {
        List<Outcome> outcomes = new ArrayList<>();
        List<GroupOffsets> candidates = new ArrayList<>();
        for (GroupOffsets group : groups) {
            if (group.partitions().stream().noneMatch(PartitionOffset::valid)) {
                outcomes.add(new Outcome(
                        group.withSync(GroupSync.notSynced("no partition has a valid translation")),
                        0,
                        "invalid-translation"));
            } else {
                candidates.add(group);
            }
        }
        if (candidates.isEmpty()) {
            return outcomes;
        }
        Map<String, KafkaFuture<ConsumerGroupDescription>> descriptions = target.describeConsumerGroups(
                        candidates.stream().map(GroupOffsets::group).toList())
                .describedGroups();
        for (GroupOffsets group : candidates) {
            outcomes.add(syncOne(group, descriptions.get(group.group())));
        }
        return outcomes;
    }

    private Outcome syncOne(GroupOffsets group, KafkaFuture<ConsumerGroupDescription> description) {
        try {
            String busy = busyReason(description, group.group());
            if (busy != null) {
                return new Outcome(group.withSync(GroupSync.notSynced(busy)), 0, "active-on-target");
            }
            Map<TopicPartition, OffsetAndMetadata> current = AdminCalls.await(
                    target.listConsumerGroupOffsets(Map.of(group.group(), new ListConsumerGroupOffsetsSpec()))
                            .partitionsToOffsetAndMetadata(group.group()),
                    timeout,
                    "reading target commits");
            Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
            for (PartitionOffset p : group.partitions()) {
                if (!p.valid()) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(p.topic(), p.partition());
                OffsetAndMetadata existing = current.get(tp);
                long translated = p.targetOffset().getAsLong();
                if (existing == null || existing.offset() < translated) {
                    toCommit.put(tp, new OffsetAndMetadata(translated, p.metadata()));
                }
            }
            if (!toCommit.isEmpty()) {
                AdminCalls.await(
                        target.alterConsumerGroupOffsets(group.group(), toCommit)
                                .all(),
                        timeout,
                        "committing group " + group.group() + "'s offsets of "
                                + new TreeSet<>(toCommit.keySet().stream()
                                        .map(TopicPartition::toString)
                                        .toList()) + " on the target");
            }
            long invalid = group.partitions().stream().filter(p -> !p.valid()).count();
            GroupSync sync = invalid == 0
                    ? GroupSync.SYNCED
                    : GroupSync.notSynced(invalid + " partition(s) have no valid translation");
            return new Outcome(group.withSync(sync), toCommit.size(), invalid == 0 ? null : "invalid-translation");
        } catch (AdminCalls.AdminCallException e) {
            return new Outcome(group.withSync(GroupSync.failed(e.getMessage())), 0, "error");
        }
    }

    /** Why the target group cannot take commits now, or null when it is empty or absent. */
    private String busyReason(KafkaFuture<ConsumerGroupDescription> description, String group) {
        try {
            ConsumerGroupDescription d = AdminCalls.await(description, timeout, "describing the target group");
            GroupState state = d.groupState();
            if (state == GroupState.EMPTY
                    || state == GroupState.DEAD
                    || d.members().isEmpty() && state == GroupState.UNKNOWN) {
                return null;
            }
            return "group is active on the target (" + state + ", "
                    + d.members().size() + " members)";
        } catch (AdminCalls.AdminCallException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return null;
            }
            throw e;
        }
    }
}

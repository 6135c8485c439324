package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import strait.config.ErrorText;
import strait.gates.checks.ClusterPair.Answers;
import strait.gates.checks.ClusterPair.Unreadable;
import strait.gates.checks.InventorySnapshot.GroupInventory;
import strait.gates.checks.InventorySnapshot.GroupSide;
import strait.gates.checks.InventorySnapshot.Member;
import strait.gates.checks.InventorySnapshot.ProducerOnPartition;
import strait.gates.checks.InventorySnapshot.TopicInventory;

/**
 * Keeps the {@code inventory} gate's input fresh: every {@code interval} it describes the link's topics on the
 * source ({@code DescribeTopics}, then {@code DescribeProducers} for every partition) and its groups on both clusters
 * ({@code DescribeGroups} / {@code ConsumerGroupDescribe}): four admin requests a round, each answered per name, so
 * one topic or group that cannot be described is named without hiding the others.
 *
 * <p>Threads as in {@link ClusterReader}: the reads run on {@code strait-gates-inventory}.
 */
public final class InventoryReader extends ClusterReader<InventorySnapshot> {

    private final Supplier<Set<String>> topics;
    private final Supplier<Set<String>> groups;

    /**
     * @param sourceProps, targetProps each side's client settings (credentials included, never logged)
     * @param topics the replicated topics now, read on the reader's thread
     * @param groups the groups in scope now, read on the reader's thread
     */
    public InventoryReader(
            Map<String, Object> sourceProps,
            Map<String, Object> targetProps,
            Supplier<Set<String>> topics,
            Supplier<Set<String>> groups,
            Duration interval,
            Clock clock) {
        super("inventory", sourceProps, targetProps, InventorySnapshot::problem, interval, clock);
        this.topics = topics;
        this.groups = groups;
    }

    @Override
    InventorySnapshot read(ClusterPair clusters) {
        List<String> undescribable = new ArrayList<>();
        try {
            List<TopicInventory> topicInventory = topics(clusters.source, new TreeSet<>(topics.get()), undescribable);
            Set<String> names = new TreeSet<>(groups.get());
            Map<String, GroupSide> source = groups(clusters.source, "source", names, undescribable);
            Map<String, GroupSide> target = groups(clusters.target, "target", names, undescribable);
            List<GroupInventory> groupInventory = new ArrayList<>();
            for (String group : names) {
                if (source.containsKey(group) && target.containsKey(group)) {
                    groupInventory.add(new GroupInventory(group, source.get(group), target.get(group)));
                }
            }
            return new InventorySnapshot(topicInventory, groupInventory, undescribable, Optional.empty());
        } catch (Unreadable e) {
            return InventorySnapshot.failed(e.getMessage());
        }
    }

    private static List<TopicInventory> topics(Admin admin, Set<String> names, List<String> undescribable)
            throws Unreadable {
        if (names.isEmpty()) {
            return List.of();
        }
        Answers<String, TopicDescription> described =
                ClusterPair.getEach(admin.describeTopics(names).topicNameValues(), "source", "DescribeTopics");
        described
                .errors()
                .forEach((topic, error) -> undescribable.add("topic " + topic + " cannot be described on"
                        + " the source: " + why(error, "Describe on the topic")));
        List<TopicPartition> partitions = new ArrayList<>();
        described
                .values()
                .values()
                .forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
        Answers<TopicPartition, PartitionProducerState> producers = partitions.isEmpty()
                ? new Answers<>(Map.of(), Map.of())
                : ClusterPair.getEach(
                        byPartition(admin.describeProducers(partitions), partitions), "source", "DescribeProducers");
        producers
                .errors()
                .forEach((tp, error) -> undescribable.add("the producers of " + tp + " cannot be"
                        + " described on the source: " + why(error, "Read on the topic")));
        List<TopicInventory> inventory = new ArrayList<>();
        for (TopicDescription topic : described.values().values()) {
            List<ProducerOnPartition> onTopic = new ArrayList<>();
            for (var p : topic.partitions()) {
                PartitionProducerState state = producers.values().get(new TopicPartition(topic.name(), p.partition()));
                if (state != null) {
                    state.activeProducers()
                            .forEach(s -> onTopic.add(new ProducerOnPartition(
                                    p.partition(),
                                    s.producerId(),
                                    s.producerEpoch(),
                                    s.lastTimestamp(),
                                    s.currentTransactionStartOffset().isPresent())));
                }
            }
            onTopic.sort(Comparator.comparingInt(ProducerOnPartition::partition)
                    .thenComparingLong(ProducerOnPartition::producerId));
            inventory.add(new TopicInventory(topic.name(), topic.partitions().size(), onTopic));
        }
        inventory.sort(Comparator.comparing(TopicInventory::topic));
        return inventory;
    }

    private static Map<String, GroupSide> groups(
            Admin admin, String side, Set<String> names, List<String> undescribable) throws Unreadable {
        if (names.isEmpty()) {
            return Map.of();
        }
        Answers<String, ConsumerGroupDescription> described =
                ClusterPair.getEach(admin.describeConsumerGroups(names).describedGroups(), side, "DescribeGroups");
        Map<String, GroupSide> sides = new HashMap<>();
        described.values().forEach((group, d) -> sides.put(group, side(d)));
        described.errors().forEach((group, error) -> {
            if (error instanceof GroupIdNotFoundException) {
                sides.put(group, GroupSide.ABSENT);
            } else {
                undescribable.add("group " + group + " cannot be described on the " + side + ": "
                        + why(error, "Describe on the group"));
            }
        });
        return sides;
    }

    private static GroupSide side(ConsumerGroupDescription d) {
        List<Member> members = new ArrayList<>();
        d.members().forEach(m -> members.add(new Member(m.clientId(), m.host())));
        members.sort(Comparator.comparing(Member::clientId).thenComparing(Member::host));
        return new GroupSide(d.groupState().toString().toLowerCase(Locale.ROOT), members);
    }

    private static Map<TopicPartition, KafkaFuture<PartitionProducerState>> byPartition(
            DescribeProducersResult result, List<TopicPartition> partitions) {
        Map<TopicPartition, KafkaFuture<PartitionProducerState>> futures = new LinkedHashMap<>();
        partitions.forEach(tp -> futures.put(tp, result.partitionResult(tp)));
        return futures;
    }

    /** The broker's error, and for an authorization error the ACL Strait's principal lacks. */
    private static String why(Throwable error, String acl) {
        if (error instanceof TopicAuthorizationException || error instanceof GroupAuthorizationException) {
            return "not authorized: the inventory gate needs " + acl + " for Strait's principal; grant it, or set"
                    + " gates.disabled=inventory";
        }
        if (error instanceof UnknownTopicOrPartitionException) {
            return "it does not exist there (deleted after Strait discovered it?)";
        }
        return ErrorText.describe(error);
    }
}

package strait.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import strait.config.ErrorText;
import strait.cutover.CutoverException;
import strait.cutover.LinkControls;
import strait.offsets.GroupOffsets;
import strait.offsets.GroupOffsetsSnapshot;
import strait.offsets.GroupOffsetsWorker;
import strait.offsets.OffsetMaps;
import strait.offsets.PartitionOffset;
import strait.proxy.ProduceFence;
import strait.proxy.ProducerIdMapping;
import strait.proxy.ProducerProxy;
import strait.replicator.PartitionStatus;
import strait.replicator.Replicator;

/**
 * The cutover's hands in this sidecar: the proxy's fence and router, the replicator, the offset maps and the group
 * sync, and an Admin client of its own on the source for end offsets.
 *
 * <p>Cutover thread only (the Admin client is created on first use there); {@link #close} by the composition root
 * after the cutover has stopped.
 */
final class SidecarLinkControls implements LinkControls, AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> sourceClientProps;
    private final ProducerProxy proxy;
    private final ProduceFence fence;
    private final Replicator replicator;
    private final GroupOffsetsWorker groups;
    private final OffsetMaps maps;
    private Admin source;

    SidecarLinkControls(
            Map<String, Object> sourceClientProps,
            ProducerProxy proxy,
            ProduceFence fence,
            Replicator replicator,
            GroupOffsetsWorker groups,
            OffsetMaps maps) {
        this.sourceClientProps = Map.copyOf(sourceClientProps);
        this.proxy = proxy;
        this.fence = fence;
        this.replicator = replicator;
        this.groups = groups;
        this.maps = maps;
    }

    @Override
    public void raiseFence() {
        fence.raise();
    }

    @Override
    public void lowerFence() {
        fence.lower();
        proxy.releaseHeld();
    }

    @Override
    public int heldRequests() {
        return proxy.heldRequests();
    }

    @Override
    public int produceRequestsOwedBySource() {
        return proxy.produceRequestsOwedBySource();
    }

    /** Every partition the replicator copies or has a map for. */
    private Set<TopicPartition> replicated() {
        Set<TopicPartition> partitions = new HashSet<>(maps.snapshot().keySet());
        replicator.status().partitions().forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        return partitions;
    }

    @Override
    public Map<TopicPartition, Long> sourceEndOffsets() {
        Set<TopicPartition> partitions = replicated();
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request =
                partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        try {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    source().listOffsets(request).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> offsets = new HashMap<>();
            ends.forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CutoverException("interrupted while reading the source's end offsets", e);
        } catch (ExecutionException e) {
            throw new CutoverException(
                    "cannot read the source's end offsets: " + ErrorText.describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new CutoverException("timed out reading the source's end offsets", e);
        }
    }

    private Admin source() {
        if (source == null) {
            Map<String, Object> props = new HashMap<>(sourceClientProps);
            props.put("client.id", "strait-cutover-source");
            source = Admin.create(props);
        }
        return source;
    }

    @Override
    public Map<String, Map<String, String>> proxiedGroups() {
        if (proxy == null) {
            return Map.of();
        }
        Set<String> seen = proxy.consumerGroups().members().keySet();
        Map<String, Map<String, String>> groups = new HashMap<>();
        describe(seen).forEach((group, description) -> {
            if (!description.members().isEmpty()) {
                groups.put(group, members(description));
            }
        });
        return groups;
    }

    @Override
    public Map<String, Map<TopicPartition, Long>> uncommitted(Set<String> groups, Map<TopicPartition, Long> ends) {
        Map<String, ConsumerGroupDescription> described = describe(groups);
        Map<String, Map<TopicPartition, Long>> behind = new HashMap<>();
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = await(
                    source().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
                    "reading group " + group + "'s commits on the source");
            Set<TopicPartition> assigned = new HashSet<>();
            ConsumerGroupDescription description = described.get(group);
            if (description != null) {
                description
                        .members()
                        .forEach(m -> assigned.addAll(m.assignment().topicPartitions()));
            }
            Map<TopicPartition, Long> left = new HashMap<>();
            ends.forEach((tp, end) -> {
                OffsetAndMetadata commit = committed.get(tp);
                if (commit == null && assigned.contains(tp) && end > 0) {
                    left.put(tp, end);
                } else if (commit != null && commit.offset() < end) {
                    left.put(tp, end - commit.offset());
                }
            });
            if (!left.isEmpty()) {
                behind.put(group, left);
            }
        }
        return behind;
    }

    @Override
    public void moveConsumers(Set<String> groups) {
        proxy.moveConsumers(groups);
    }

    @Override
    public Map<String, Map<String, String>> membersHolding(Set<String> groups) {
        Map<String, Set<String>> letGo = proxy.consumerGroups().letGo();
        Map<String, Map<String, String>> holding = new HashMap<>();
        describe(groups).forEach((group, description) -> {
            Set<String> gone = letGo.getOrDefault(group, Set.of());
            Map<String, String> members = new HashMap<>(members(description));
            members.keySet().removeAll(gone);
            if (!members.isEmpty()) {
                holding.put(group, members);
            }
        });
        return holding;
    }

    @Override
    public void keepConsumers() {
        if (proxy != null) {
            proxy.endConsumerMoves();
        }
    }

    private Map<String, ConsumerGroupDescription> describe(Set<String> groups) {
        if (groups.isEmpty()) {
            return Map.of();
        }
        return await(source().describeConsumerGroups(groups).all(), "describing consumer groups on the source");
    }

    private static Map<String, String> members(ConsumerGroupDescription description) {
        Map<String, String> members = new HashMap<>();
        description.members().forEach(m -> members.put(m.consumerId(), m.clientId() + "@" + m.host()));
        return members;
    }

    private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CutoverException("interrupted while " + what, e);
        } catch (ExecutionException e) {
            throw new CutoverException(what + ": " + ErrorText.describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new CutoverException("timed out " + what, e);
        }
    }

    @Override
    public Map<TopicPartition, Long> replicatedPositions() {
        Map<TopicPartition, Long> positions = new HashMap<>();
        maps.snapshot().forEach((tp, map) -> positions.put(tp, map.replicatedPosition()));
        return positions;
    }

    @Override
    public Map<TopicPartition, String> stoppedPartitions() {
        Map<TopicPartition, String> stopped = new HashMap<>();
        for (PartitionStatus p : replicator.status().partitions()) {
            if (p.stoppedReason() != null) {
                stopped.put(new TopicPartition(p.topic(), p.partition()), p.stoppedReason());
            }
        }
        return stopped;
    }

    @Override
    public GroupsCheck syncGroups() {
        GroupOffsetsSnapshot snapshot;
        try {
            snapshot = groups.refreshNow().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CutoverException("interrupted while syncing the groups", e);
        } catch (ExecutionException e) {
            throw new CutoverException("the group sync round failed: " + ErrorText.describe(e.getCause()), e);
        } catch (TimeoutException e) {
            throw new CutoverException("the group sync round did not finish within " + TIMEOUT.toSeconds() + " s", e);
        }
        List<String> committed = new ArrayList<>();
        Map<String, String> notCommitted = new HashMap<>();
        Map<String, String> failures = new HashMap<>();
        for (GroupOffsets group : snapshot.groups().values()) {
            List<String> untranslatable = group.partitions().stream()
                    .filter(p -> !p.valid() && blocksTheSwitch(p))
                    .map(p -> p.topic() + "-" + p.partition() + " at " + p.sourceOffset() + ": " + p.reason())
                    .toList();
            if (group.sync().failed()) {
                failures.put(group.group(), group.sync().reason());
            } else if (!untranslatable.isEmpty()) {
                failures.put(group.group(), String.join("; ", untranslatable));
            } else if (group.sync().synced()) {
                committed.add(group.group());
            } else {
                notCommitted.put(group.group(), group.sync().reason());
            }
        }
        return new GroupsCheck(committed, notCommitted, failures);
    }

    /**
     * An offset the drained replicator should have made translatable: not yet replicated, or its partition missing on
     * the target. An offset below retention is not (its consumers reset on the source just the same).
     */
    private static boolean blocksTheSwitch(PartitionOffset p) {
        return p.reason().equals(PartitionOffset.InvalidReason.NOT_YET_REPLICATED.text())
                || p.reason().equals(PartitionOffset.InvalidReason.PARTITION_MISSING_ON_TARGET.text());
    }

    @Override
    public PreparedIds prepareProducerIds() {
        ProducerIdMapping mapping = proxy.prepareSwitch();
        return new PreparedIds(mapping.toJson(), mapping.size());
    }

    @Override
    public void stopReplication() {
        replicator.closeAtSwitch();
    }

    @Override
    public void switchToTarget(Consumer<String> persistMapping) {
        proxy.switchToTarget(mapping -> persistMapping.accept(mapping.toJson()));
        fence.lower();
        proxy.releaseHeld();
    }

    @Override
    public void close() {
        if (source != null) {
            source.close(Duration.ofSeconds(5));
        }
    }
}

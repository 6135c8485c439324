package strait.deploy;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import strait.gates.GateInputSources;
import strait.gates.PartitionLag;
import strait.gates.ProducerProxyGate;
import strait.gates.ProxyState;
import strait.gates.Refreshed;
import strait.gates.ResumePoint;
import strait.gates.TopicParity;
import strait.gates.TranslationResult;
import strait.offsets.GroupOffsetsSnapshot;
import strait.offsets.GroupOffsetsWorker;
import strait.offsets.OffsetMaps;
import strait.offsets.Translation;
import strait.replicator.Replicator;
import strait.replicator.ReplicatorStatus;

/**
 * Presents the replicator's and the group worker's snapshots as the gates' inputs, so the gates module depends on
 * neither. Every method reads an immutable snapshot already at hand: safe on the gates' worker and, for the
 * translator, on the HTTP event loop.
 */
final class GateInputsAdapter {

    private GateInputsAdapter() {}

    static GateInputSources of(
            Replicator replicator, GroupOffsetsWorker groups, OffsetMaps maps, Supplier<ProxyState> proxy) {
        return of(replicator::status, groups::snapshot, maps, proxy, Clock.systemUTC());
    }

    /**
     * The same over the two snapshots' suppliers; {@code clock} dates the proxy state, which is read at once (the
     * cutover publishes it). A snapshot's own refresh time is passed on as it is, so an old one ages into a stale gate.
     */
    static GateInputSources of(
            Supplier<ReplicatorStatus> replicator,
            Supplier<GroupOffsetsSnapshot> groups,
            OffsetMaps maps,
            Supplier<ProxyState> proxy,
            Clock clock) {
        return new GateInputSources(
                        () -> replication(replicator.get()).map(s -> Refreshed.of(lag(s), s.refreshedAt())),
                        () -> groups(groups.get()).map(g -> Refreshed.of(resumePoints(g), g.takenAt())),
                        () -> topics(replicator.get()).map(s -> Refreshed.of(parity(s), s.topicsCurrentAt())),
                        (topic, partition, offset) ->
                                result(maps.translate(new TopicPartition(topic, partition), offset)))
                .with(ProducerProxyGate.STATE, () -> Optional.of(Refreshed.of(proxy.get(), clock.instant())));
    }

    private static Optional<ReplicatorStatus> replication(ReplicatorStatus status) {
        return status.refreshedAt().equals(Instant.EPOCH) ? Optional.empty() : Optional.of(status);
    }

    private static Optional<ReplicatorStatus> topics(ReplicatorStatus status) {
        return status.topicsCurrentAt().equals(Instant.EPOCH) ? Optional.empty() : Optional.of(status);
    }

    private static Optional<GroupOffsetsSnapshot> groups(GroupOffsetsSnapshot snapshot) {
        return snapshot.takenAt().equals(Instant.EPOCH) ? Optional.empty() : Optional.of(snapshot);
    }

    private static List<PartitionLag> lag(ReplicatorStatus status) {
        return status.partitions().stream()
                .map(p -> new PartitionLag(
                        p.topic(),
                        p.partition(),
                        p.sourceEnd(),
                        p.replicated(),
                        p.targetEnd(),
                        p.lagRecords(),
                        p.lagMs(),
                        Optional.ofNullable(p.stoppedReason()),
                        p.recordsForwarded(),
                        p.recordsEncoded()))
                .toList();
    }

    private static List<TopicParity> parity(ReplicatorStatus status) {
        return status.topics().stream()
                .map(t -> t.targetPartitions() <= 0
                        ? new TopicParity(t.topic(), false, t.sourcePartitions(), 0, t.problems())
                        : new TopicParity(t.topic(), true, t.sourcePartitions(), t.targetPartitions(), t.problems()))
                .toList();
    }

    private static List<ResumePoint> resumePoints(GroupOffsetsSnapshot snapshot) {
        return snapshot.groups().values().stream()
                .flatMap(g -> g.partitions().stream()
                        .map(p -> g.sync().failed() && p.valid()
                                // Translated, but the target refused the commit: consumers there would not resume from
                                // it.
                                ? new ResumePoint(
                                        g.group(),
                                        p.topic(),
                                        p.partition(),
                                        p.sourceOffset(),
                                        p.targetOffset(),
                                        false,
                                        "translated to " + p.targetOffset().getAsLong()
                                                + " but not committed on the target: "
                                                + g.sync().reason())
                                : new ResumePoint(
                                        g.group(),
                                        p.topic(),
                                        p.partition(),
                                        p.sourceOffset(),
                                        p.targetOffset(),
                                        p.valid(),
                                        p.reason())))
                .toList();
    }

    private static TranslationResult result(Translation translation) {
        if (translation instanceof Translation.Exact e) {
            return new TranslationResult.Exact(e.targetOffset());
        } else if (translation instanceof Translation.NotYetReplicated n) {
            return new TranslationResult.NotYetReplicated(n.replicatedPosition());
        } else if (translation instanceof Translation.BelowRetention b) {
            return new TranslationResult.BelowRetention(b.oldestTranslatableOffset());
        }
        return new TranslationResult.UnknownPartition();
    }
}

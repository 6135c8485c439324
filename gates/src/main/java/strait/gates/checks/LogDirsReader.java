package strait.gates.checks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import strait.config.ErrorText;
import strait.gates.checks.ClusterPair.Unreadable;

/**
 * Reads both clusters' log directories ({@code DescribeLogDirs}, one request per cluster) and works out what the
 * {@code capacity} gate judges: for each target directory, the source bytes of its replicated partitions that are
 * not on the target yet. A partition's bytes still to copy are its source size (its largest source replica) minus
 * what its target replica already holds, never below zero; byte sizes agree because the copy forwards the source's
 * batches as they are (decision 0005), so this is an estimate only where batches are re-encoded.
 *
 * <p>Blocking: call only from the refresher's own thread, never from an event loop.
 */
final class LogDirsReader {

    private final ClusterPair clusters;

    LogDirsReader(ClusterPair clusters) {
        this.clusters = clusters;
    }

    /** One snapshot for {@code topics}; a failure to read is a snapshot saying why, never an exception. */
    CapacitySnapshot read(Set<String> topics) {
        Map<Integer, Map<String, LogDirDescription>> sourceDirs;
        Map<Integer, Map<String, LogDirDescription>> targetDirs;
        try {
            sourceDirs = describe(clusters.source, "source");
            targetDirs = describe(clusters.target, "target");
        } catch (Unreadable e) {
            return CapacitySnapshot.failed(e.getMessage());
        }
        Map<TopicPartition, Long> sourceSizes = new HashMap<>();
        sourceDirs
                .values()
                .forEach(dirs -> dirs.values()
                        .forEach(dir -> replicas(dir, topics)
                                .forEach((tp, info) -> sourceSizes.merge(tp, info.size(), Math::max))));
        Map<TopicPartition, Long> targetSizes = new HashMap<>();
        List<LogDirSpace> spaces = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, LogDirDescription>> broker : targetDirs.entrySet()) {
            for (Map.Entry<String, LogDirDescription> dir : broker.getValue().entrySet()) {
                LogDirDescription description = dir.getValue();
                if (description.error() != null) {
                    return CapacitySnapshot.failed("target broker " + broker.getKey() + " log dir " + dir.getKey()
                            + " cannot be used: " + ErrorText.describe(description.error()));
                }
                long toCopy = 0;
                int partitions = 0;
                for (Map.Entry<TopicPartition, ReplicaInfo> replica :
                        replicas(description, topics).entrySet()) {
                    long sourceSize = sourceSizes.getOrDefault(replica.getKey(), 0L);
                    toCopy += Math.max(0, sourceSize - replica.getValue().size());
                    partitions++;
                    targetSizes.merge(replica.getKey(), replica.getValue().size(), Math::max);
                }
                spaces.add(new LogDirSpace(
                        broker.getKey(),
                        dir.getKey(),
                        description.totalBytes(),
                        description.usableBytes(),
                        toCopy,
                        partitions));
            }
        }
        long bytesToCopy = 0;
        long unplaced = 0;
        for (Map.Entry<TopicPartition, Long> partition : sourceSizes.entrySet()) {
            Long onTarget = targetSizes.get(partition.getKey());
            bytesToCopy += Math.max(0, partition.getValue() - (onTarget == null ? 0 : onTarget));
            if (onTarget == null) {
                unplaced += partition.getValue();
            }
        }
        spaces.sort((a, b) -> a.broker() != b.broker()
                ? Integer.compare(a.broker(), b.broker())
                : a.path().compareTo(b.path()));
        return new CapacitySnapshot(spaces, bytesToCopy, unplaced, sourceSizes.size(), Optional.empty());
    }

    /** The current (not future) replicas of the replicated topics in one directory. */
    private static Map<TopicPartition, ReplicaInfo> replicas(LogDirDescription dir, Set<String> topics) {
        Map<TopicPartition, ReplicaInfo> chosen = new HashMap<>();
        dir.replicaInfos().forEach((tp, info) -> {
            if (!info.isFuture() && topics.contains(tp.topic())) {
                chosen.put(tp, info);
            }
        });
        return chosen;
    }

    private static Map<Integer, Map<String, LogDirDescription>> describe(Admin admin, String side) throws Unreadable {
        try {
            List<Integer> brokers = ClusterPair.get(admin.describeCluster().nodes(), side, "DescribeCluster").stream()
                    .map(Node::id)
                    .toList();
            return ClusterPair.get(admin.describeLogDirs(brokers).allDescriptions(), side, "DescribeLogDirs");
        } catch (Unreadable e) {
            if (e.causedBy(ClusterAuthorizationException.class)) {
                throw new Unreadable(
                        "not authorized to describe the " + side + "'s log dirs: the capacity gate needs Describe on"
                                + " the cluster resource (kafka-cluster) of both clusters; grant it, or set"
                                + " gates.disabled=capacity",
                        null);
            }
            throw e;
        }
    }
}

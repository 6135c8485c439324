package strait.benchmarks;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;

/** How many bytes a topic takes on the brokers' disks: how well the payload compressed, on the source and the target. */
final class SourceSize {

    private SourceSize() {}

    static Optional<Long> bytesOnDisk(Admin admin, String topic) {
        try {
            List<Integer> brokers =
                    admin.describeCluster().nodes().get().stream().map(Node::id).toList();
            long[] total = {0};
            admin.describeLogDirs(brokers)
                    .allDescriptions()
                    .get()
                    .values()
                    .forEach(dirs -> dirs.values()
                            .forEach(dir -> dir.replicaInfos().forEach((tp, info) -> {
                                if (tp.topic().equals(topic)) {
                                    total[0] += info.size();
                                }
                            })));
            return Optional.of(total[0]);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }
    }
}

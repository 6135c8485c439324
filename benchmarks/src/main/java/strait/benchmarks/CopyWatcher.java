package strait.benchmarks;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches a target topic fill up by polling its end offsets every 50 ms: the first record landing ends the start-up,
 * the last one ends the copy. Samples the replicator's CPU time at both moments.
 */
final class CopyWatcher {

    /** Seconds from process start to the first record on the target; seconds and CPU seconds of the copy. */
    record Copy(double startupSeconds, double copySeconds, long copiedRecords, double copyCpuSeconds) {}

    private CopyWatcher() {}

    static Copy await(
            Admin target,
            String topic,
            int partitions,
            long records,
            Child child,
            Duration startTimeout,
            Duration stallTimeout)
            throws InterruptedException {
        long firstNanos = -1;
        long firstCount = 0;
        double firstCpu = 0;
        long last = -1;
        long lastProgress = System.nanoTime();
        boolean exists = false;
        while (true) {
            if (!child.isAlive()) {
                throw new IllegalStateException(child.name() + " exited; stderr tail: " + child.stderrTail());
            }
            long count = endOffsetSum(target, topic, partitions, exists);
            exists = exists || count > 0;
            long now = System.nanoTime();
            if (count > 0 && firstNanos < 0) {
                firstNanos = now;
                firstCount = count;
                firstCpu = ProcStats.cpuSeconds(child.handle());
            }
            if (count >= records) {
                double cpu = ProcStats.cpuSeconds(child.handle());
                double startup = (firstNanos - child.startNanos()) / 1e9;
                if (firstCount >= records) {
                    // Everything landed between two polls: no measurable window.
                    throw new IllegalStateException("the whole copy finished within one 50 ms poll; use more records");
                }
                return new Copy(startup, (now - firstNanos) / 1e9, records - firstCount, cpu - firstCpu);
            }
            if (count > last) {
                last = count;
                lastProgress = now;
            }
            if (firstNanos < 0 && now - child.startNanos() > startTimeout.toNanos()) {
                throw new IllegalStateException("no record reached " + topic + " within " + startTimeout);
            }
            if (firstNanos >= 0 && now - lastProgress > stallTimeout.toNanos()) {
                throw new IllegalStateException(
                        "copy to " + topic + " stalled at " + last + " of " + records + " records for " + stallTimeout);
            }
            Thread.sleep(50);
        }
    }

    /** Sum of the end offsets of the topic's partitions; 0 while the topic does not exist yet. */
    static long endOffsetSum(Admin admin, String topic, int partitions, boolean known) throws InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try {
            // Asking for offsets of a topic that does not exist yet makes the admin client log errors: look first.
            if (!known && !admin.listTopics().names().get(5, TimeUnit.SECONDS).contains(topic)) {
                return 0;
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                    admin.listOffsets(request).all().get(5, TimeUnit.SECONDS);
            return result.values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
                    .sum();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return 0; // Not created yet, or no leader yet.
        }
    }

    /** End offsets by partition. */
    static Map<Integer, Long> endOffsets(Admin admin, String topic, int partitions)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }
}

package strait.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One replicator run, start to stop: start the process, time the bulk copy, measure latency at a fixed rate, check
 * the translated group offsets, read CPU and peak RSS, stop the process and delete its target topics.
 */
final class Measurement {

    private Measurement() {}

    static RunResult run(
            Replicator replicator,
            RunSpec spec,
            Settings settings,
            int repeat,
            int order,
            Admin target,
            Map<String, Map<Integer, Long>> committed) {
        Child child = null;
        String targetBulk = replicator.targetTopic(spec, spec.bulkTopic());
        String targetLatency = replicator.targetTopic(spec, spec.latencyTopic());
        try {
            log(replicator, spec, "starting; load average " + Machine.loadAverage());
            child = replicator.start(spec);
            // Wall clock to the millisecond, to line up with the replicator's own log (start-up breakdowns).
            java.time.LocalTime launched = java.time.LocalTime.now().minusNanos(System.nanoTime() - child.startNanos());
            log(replicator, spec, "launched at " + launched);
            CopyWatcher.Copy copy = CopyWatcher.await(
                    target,
                    targetBulk,
                    settings.partitions(),
                    settings.records(),
                    child,
                    Duration.ofSeconds(120),
                    Duration.ofSeconds(60));
            log(
                    replicator,
                    spec,
                    String.format(
                            "copy done: start-up %.2f s (first record seen at %s), %d records in %.2f s",
                            copy.startupSeconds(),
                            launched.plusNanos((long) (copy.startupSeconds() * 1e9)),
                            copy.copiedRecords(),
                            copy.copySeconds()));
            SourceSize.bytesOnDisk(target, targetBulk)
                    .ifPresent(bytes -> log(
                            replicator,
                            spec,
                            String.format(
                                    "target %s: %,.1f MiB on disk (%.0f%% of the payload)",
                                    targetBulk,
                                    bytes / RunResult.MIB,
                                    100.0 * bytes / (settings.records() * (double) settings.size()))));
            LatencyProbe.Latency latency = LatencyProbe.measure(
                    spec,
                    targetLatency,
                    settings.partitions(),
                    settings.latencyRate(),
                    settings.latencySeconds(),
                    settings.size());
            log(replicator, spec, "latency: " + latency);
            List<GroupOffsets.GroupResult> groups =
                    checkGroups(replicator, spec, child, targetBulk, committed, settings.partitions());
            groups.forEach(g -> log(replicator, spec, g.toString()));
            long rss = ProcStats.peakRssBytes(child.handle());
            double cpuTotal = ProcStats.cpuSeconds(child.handle());
            return new RunResult(
                    replicator.name(),
                    spec.compression(),
                    repeat,
                    order,
                    copy.copiedRecords(),
                    copy.copiedRecords() * settings.size(),
                    copy.startupSeconds(),
                    copy.copySeconds(),
                    copy.copyCpuSeconds(),
                    cpuTotal,
                    rss,
                    latency,
                    groups,
                    null);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String message = e.getClass().getSimpleName() + ": " + e.getMessage();
            log(replicator, spec, "FAILED: " + message);
            return RunResult.failed(replicator.name(), spec.compression(), repeat, order, message);
        } finally {
            if (child != null) {
                try {
                    child.stop(Duration.ofSeconds(20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                target.deleteTopics(List.of(targetBulk, targetLatency)).all().get();
            } catch (Exception e) {
                log(replicator, spec, "could not delete target topics: " + e.getMessage());
            }
        }
    }

    /** Waits (up to 30 s) for every group's translation of every partition, then compares with the exact answer. */
    private static List<GroupOffsets.GroupResult> checkGroups(
            Replicator replicator,
            RunSpec spec,
            Child child,
            String targetBulk,
            Map<String, Map<Integer, Long>> committed,
            int partitions)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<GroupOffsets.GroupResult> results = new ArrayList<>();
        try (RecordReader source = new RecordReader(spec.sourceBootstrap());
                RecordReader target = new RecordReader(spec.targetBootstrap())) {
            for (String group : spec.groups()) {
                Map<Integer, Long> positions = committed.get(group);
                Map<Integer, Long> translated = replicator.translate(spec, child, group);
                while (translated.size() < positions.size() && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    translated = replicator.translate(spec, child, group);
                }
                GroupOffsets.Error sum = GroupOffsets.Error.NONE;
                int missing = 0;
                int unverified = 0;
                for (var e : positions.entrySet()) {
                    int partition = e.getKey();
                    long committedOffset = e.getValue();
                    // A plain load into a fresh target: the record at source offset s sits at target offset s.
                    long exact = committedOffset;
                    Optional<ConsumerRecord<byte[], byte[]>> want =
                            source.at(spec.bulkTopic(), partition, committedOffset);
                    Optional<ConsumerRecord<byte[], byte[]>> got = target.at(targetBulk, partition, exact);
                    if (want.isEmpty()
                            || got.isEmpty()
                            || got.get().offset() != exact
                            || !RecordReader.sameRecord(want.get(), got.get())) {
                        unverified++;
                    }
                    Long t = translated.get(partition);
                    if (t == null) {
                        missing++;
                    } else {
                        sum = sum.plus(GroupOffsets.Error.of(t, exact));
                    }
                }
                results.add(new GroupOffsets.GroupResult(group, sum.reread(), sum.skipped(), missing, unverified));
            }
        }
        return results;
    }

    static void log(Replicator replicator, RunSpec spec, String message) {
        System.out.println("[" + java.time.LocalTime.now().withNano(0) + "] " + replicator.name() + " " + spec.runId()
                + ": " + message);
    }
}

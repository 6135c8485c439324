package strait.benchmarks;

import java.util.List;

/** What one replicator run measured; {@code error} is set (and figures may be NaN) when the run failed. */
record RunResult(
        String replicator,
        String compression,
        int repeat,
        int order,
        long records,
        long bytes,
        double startupSeconds,
        double copySeconds,
        double copyCpuSeconds,
        double totalCpuSeconds,
        long peakRssBytes,
        LatencyProbe.Latency latency,
        List<GroupOffsets.GroupResult> groups,
        String error) {

    static final double GIB = 1024.0 * 1024 * 1024;
    static final double MIB = 1024.0 * 1024;

    static RunResult failed(String replicator, String compression, int repeat, int order, String error) {
        return new RunResult(
                replicator,
                compression,
                repeat,
                order,
                0,
                0,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                -1,
                null,
                List.of(),
                error);
    }

    boolean ok() {
        return error == null;
    }

    double recordsPerSecond() {
        return records / copySeconds;
    }

    double mibPerSecond() {
        return bytes / MIB / copySeconds;
    }

    double cpuSecondsPerGib() {
        return copyCpuSeconds / (bytes / GIB);
    }

    double peakRssMib() {
        return peakRssBytes < 0 ? Double.NaN : peakRssBytes / MIB;
    }

    long reread() {
        return groups.stream().mapToLong(GroupOffsets.GroupResult::reread).sum();
    }

    long skipped() {
        return groups.stream().mapToLong(GroupOffsets.GroupResult::skipped).sum();
    }

    int missing() {
        return groups.stream().mapToInt(GroupOffsets.GroupResult::missing).sum();
    }
}

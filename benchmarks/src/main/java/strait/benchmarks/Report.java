package strait.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Formats run results: one line per run, and per compression the mean of each figure and the ratio Strait/MM2. */
final class Report {

    private record Column(String header, String format, ToDoubleFunction<RunResult> value) {}

    private static final List<Column> COLUMNS = List.of(
            new Column("records/s", "%,.0f", RunResult::recordsPerSecond),
            new Column("MiB/s", "%.1f", RunResult::mibPerSecond),
            new Column("start-up s", "%.2f", RunResult::startupSeconds),
            new Column("CPU s/GiB", "%.1f", RunResult::cpuSecondsPerGib),
            new Column("peak RSS MiB", "%,.0f", RunResult::peakRssMib),
            new Column("p50 ms", "%.0f", r -> r.latency().p50Ms()),
            new Column("p99 ms", "%.0f", r -> r.latency().p99Ms()),
            new Column("re-read", "%,.0f", r -> r.reread()),
            new Column("skipped", "%,.0f", r -> r.skipped()));

    private Report() {}

    static String runLines(List<RunResult> results) {
        StringBuilder b = new StringBuilder();
        for (RunResult r : results) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-6s %-5s repeat %d (%s): ",
                    r.replicator(),
                    r.compression(),
                    r.repeat(),
                    r.order() == 0 ? "went first" : "went second"));
            if (!r.ok()) {
                b.append("FAILED: ").append(r.error()).append('\n');
                continue;
            }
            b.append(String.format(
                    Locale.ROOT,
                    "%,.0f rec/s, %.1f MiB/s, start-up %.2f s, copy %.2f s, CPU %.1f s in copy (%.1f s/GiB), "
                            + "%.1f s in all, peak RSS %,.0f MiB, latency p50 %.0f ms p99 %.0f ms max %.0f ms "
                            + "(%d/%d received), groups: %s%n",
                    r.recordsPerSecond(),
                    r.mibPerSecond(),
                    r.startupSeconds(),
                    r.copySeconds(),
                    r.copyCpuSeconds(),
                    r.cpuSecondsPerGib(),
                    r.totalCpuSeconds(),
                    r.peakRssMib(),
                    r.latency().p50Ms(),
                    r.latency().p99Ms(),
                    r.latency().maxMs(),
                    r.latency().received(),
                    r.latency().sent(),
                    r.groups()));
        }
        return b.toString();
    }

    /** Markdown table: per compression, a row per replicator (mean over its successful runs) and a ratio row. */
    static String table(List<RunResult> results, List<String> compressions) {
        StringBuilder b = new StringBuilder("| compression | replicator | runs |");
        COLUMNS.forEach(c -> b.append(' ').append(c.header()).append(" |"));
        b.append("\n| --- | --- | --- |");
        COLUMNS.forEach(c -> b.append(" ---: |"));
        b.append('\n');
        for (String compression : compressions) {
            List<RunResult> strait = select(results, compression, "strait");
            List<RunResult> mm2 = select(results, compression, "mm2");
            row(b, compression, "Strait", strait, results, compression);
            row(b, compression, "MM2", mm2, results, compression);
            if (!strait.isEmpty() && !mm2.isEmpty()) {
                b.append("| ").append(compression).append(" | **Strait/MM2** | |");
                for (Column c : COLUMNS) {
                    double s = mean(strait, c.value());
                    double m = mean(mm2, c.value());
                    b.append(' ')
                            .append(m == 0 ? (s == 0 ? "=" : "—") : String.format(Locale.ROOT, "%.2f×", s / m))
                            .append(" |");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    /** One line per compression: the harness's own latency floor (producer → broker → consumer, no replicator). */
    static String baselines(Map<String, LatencyProbe.Latency> baselines) {
        if (baselines.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(
                "\nLatency floor of the probe itself (produce and consume on the source, " + "no replicator): ");
        List<String> parts = new ArrayList<>();
        baselines.forEach((c, l) ->
                parts.add(String.format(Locale.ROOT, "%s p50 %.0f ms, p99 %.0f ms", c, l.p50Ms(), l.p99Ms())));
        return b.append(String.join("; ", parts)).append(".\n").toString();
    }

    private static void row(
            StringBuilder b, String compression, String label, List<RunResult> ok, List<RunResult> all, String c) {
        long failed = all.stream()
                .filter(r ->
                        r.compression().equals(c) && !r.ok() && r.replicator().equalsIgnoreCase(label))
                .count();
        if (ok.isEmpty() && failed == 0) {
            return;
        }
        b.append("| ")
                .append(compression)
                .append(" | ")
                .append(label)
                .append(" | ")
                .append(ok.size());
        if (failed > 0) {
            b.append(" (").append(failed).append(" failed)");
        }
        b.append(" |");
        for (Column c2 : COLUMNS) {
            b.append(' ')
                    .append(ok.isEmpty() ? "—" : String.format(Locale.ROOT, c2.format(), mean(ok, c2.value())))
                    .append(" |");
        }
        b.append('\n');
    }

    private static List<RunResult> select(List<RunResult> results, String compression, String replicator) {
        List<RunResult> selected = new ArrayList<>();
        for (RunResult r : results) {
            if (r.ok() && r.compression().equals(compression) && r.replicator().equals(replicator)) {
                selected.add(r);
            }
        }
        return selected;
    }

    static double mean(List<RunResult> results, ToDoubleFunction<RunResult> value) {
        return results.stream().mapToDouble(value).average().orElse(Double.NaN);
    }
}

package strait.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a process's CPU time and peak resident memory from Linux's /proc. Pure parsing is static and tested. */
final class ProcStats {

    /** Kernel clock ticks per second ({@code getconf CLK_TCK}); 100 on every Linux this runs on. */
    static final long CLOCK_TICKS_PER_SECOND = 100;

    private ProcStats() {}

    /** utime + stime, in clock ticks, from the content of /proc/PID/stat. */
    static long cpuTicksFromStat(String stat) {
        // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        // fields[0] is field 3 (state); utime is field 14, stime field 15.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** VmHWM (peak resident set) in bytes, from the content of /proc/PID/status; -1 when absent. */
    static long peakRssBytesFromStatus(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
            }
        }
        return -1;
    }

    /** CPU seconds used so far by the process and its live descendants; 0 for those already gone. */
    static double cpuSeconds(ProcessHandle process) {
        long ticks = 0;
        for (long pid : pids(process)) {
            ticks += read(pid, "stat").map(ProcStats::cpuTicksFromStat).orElse(0L);
        }
        return (double) ticks / CLOCK_TICKS_PER_SECOND;
    }

    /** Peak RSS of the process itself plus that of each live descendant, in bytes. */
    static long peakRssBytes(ProcessHandle process) {
        long bytes = 0;
        for (long pid : pids(process)) {
            bytes += Math.max(
                    0,
                    read(pid, "status").map(ProcStats::peakRssBytesFromStatus).orElse(0L));
        }
        return bytes;
    }

    private static List<Long> pids(ProcessHandle process) {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(d -> pids.add(d.pid()));
        return pids;
    }

    private static java.util.Optional<String> read(long pid, String file) {
        try {
            return java.util.Optional.of(Files.readString(Path.of("/proc", Long.toString(pid), file)));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }
}

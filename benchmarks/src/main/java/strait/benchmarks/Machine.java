package strait.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine a run happened on, for the report: CPUs, CPU model, memory, JVM, load average. */
final class Machine {

    private Machine() {}

    static String describe() {
        return String.format(
                Locale.ROOT,
                "%d CPUs (%s), %s memory, Java %s (%s), load average %s",
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                memory(),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                loadAverage());
    }

    static String loadAverage() {
        return read("/proc/loadavg")
                .map(s -> String.join(" ", java.util.Arrays.copyOf(s.trim().split("\\s+"), 3)))
                .orElse("unknown");
    }

    private static String cpuModel() {
        return read("/proc/cpuinfo")
                .flatMap(s -> s.lines().filter(l -> l.startsWith("model name")).findFirst())
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .orElse("unknown model");
    }

    private static String memory() {
        return read("/proc/meminfo")
                .flatMap(s -> s.lines().filter(l -> l.startsWith("MemTotal:")).findFirst())
                .map(l -> String.format(
                        Locale.ROOT, "%.1f GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
                .orElse("unknown");
    }

    private static java.util.Optional<String> read(String file) {
        try {
            return java.util.Optional.of(Files.readString(Path.of(file)));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }
}

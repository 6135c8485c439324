package strait.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The harness's command line: {@code --name value} pairs, every one optional. */
record Settings(
        long records,
        int size,
        int partitions,
        List<String> compressions,
        boolean sameCodecOnTarget,
        int repeats,
        List<String> replicators,
        int groups,
        int latencyRate,
        int latencySeconds,
        Path straitJar,
        List<String> straitJvmOpts,
        int straitPipelines,
        List<String> mm2JvmOpts,
        Path workDir,
        Path output) {

    static final String USAGE = """
            usage: SideBySide [--records 2000000] [--size 512] [--partitions 8] [--compression none,lz4,zstd]
                              [--target-compression same|default]
                              [--repeats 2] [--replicators strait,mm2] [--groups 3]
                              [--latency-rate 2000] [--latency-seconds 20] [--strait-jar deploy/target/strait.jar]
                              [--strait-jvm-opts "..."] [--strait-pipelines 1] [--mm2-jvm-opts "..."]
                              [--work-dir DIR] [--output FILE.md]""";

    static Settings parse(String... args) {
        long records = 2_000_000;
        int size = 512;
        int partitions = 8;
        List<String> compressions = List.of("none", "lz4", "zstd");
        boolean sameCodec = true;
        int repeats = 2;
        List<String> replicators = List.of("strait", "mm2");
        int groups = 3;
        int rate = 2000;
        int seconds = 20;
        Path jar = Path.of("deploy", "target", "strait.jar");
        List<String> straitOpts = List.of();
        int pipelines = 1;
        List<String> mm2Opts = List.of();
        Path workDir = Path.of("benchmarks", "target", "side-by-side");
        Path output = null;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--records" -> records = Long.parseLong(value);
                case "--size" -> size = Integer.parseInt(value);
                case "--partitions" -> partitions = Integer.parseInt(value);
                case "--compression" -> compressions = list(value);
                case "--target-compression" ->
                    sameCodec = switch (value) {
                        case "same" -> true;
                        case "default" -> false;
                        default -> throw new IllegalArgumentException("--target-compression is same or default");
                    };
                case "--repeats" -> repeats = Integer.parseInt(value);
                case "--replicators" -> replicators = list(value);
                case "--groups" -> groups = Integer.parseInt(value);
                case "--latency-rate" -> rate = Integer.parseInt(value);
                case "--latency-seconds" -> seconds = Integer.parseInt(value);
                case "--strait-jar" -> jar = Path.of(value);
                case "--strait-jvm-opts" -> straitOpts = words(value);
                case "--strait-pipelines" -> pipelines = Integer.parseInt(value);
                case "--mm2-jvm-opts" -> mm2Opts = words(value);
                case "--work-dir" -> workDir = Path.of(value);
                case "--output" -> output = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        for (String c : compressions) {
            if (!List.of("none", "gzip", "snappy", "lz4", "zstd").contains(c)) {
                throw new IllegalArgumentException("unknown compression " + c);
            }
        }
        for (String r : replicators) {
            if (!List.of("strait", "mm2").contains(r)) {
                throw new IllegalArgumentException("unknown replicator " + r + " (strait, mm2)");
            }
        }
        if (records < 1000
                || size < 64
                || partitions < 1
                || repeats < 1
                || groups < 0
                || rate < 1
                || seconds < 1
                || pipelines < 1) {
            throw new IllegalArgumentException("need records >= 1000, size >= 64, and positive counts");
        }
        if (output == null) {
            output = workDir.resolve("results.md");
        }
        return new Settings(
                records,
                size,
                partitions,
                compressions,
                sameCodec,
                repeats,
                replicators,
                groups,
                rate,
                seconds,
                jar,
                straitOpts,
                pipelines,
                mm2Opts,
                workDir,
                output);
    }

    private static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                items.add(s.trim());
            }
        }
        return List.copyOf(items);
    }

    private static List<String> words(String value) {
        return value.isBlank() ? List.of() : Arrays.asList(value.trim().split("\\s+"));
    }
}

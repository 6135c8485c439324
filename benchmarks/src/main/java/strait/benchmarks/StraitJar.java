package strait.benchmarks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Strait as an operator runs it: {@code java -jar strait.jar run --config FILE}, its HTTP API on a free port.
 * Each run gets a fresh {@code link.name}, so its internal topics are new; target topics keep the source names.
 */
final class StraitJar implements Replicator {

    private static final Pattern API_URL = Pattern.compile("(http://[0-9A-Za-z.:\\[\\]-]+)/health");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path jar;
    private final List<String> jvmOpts;
    private final int pipelines;

    StraitJar(Path jar, List<String> jvmOpts, int pipelines) {
        this.jar = jar;
        this.jvmOpts = jvmOpts;
        this.pipelines = pipelines;
    }

    @Override
    public String name() {
        return "strait";
    }

    @Override
    public String targetTopic(RunSpec spec, String sourceTopic) {
        return sourceTopic;
    }

    static Properties config(RunSpec spec, int pipelines) {
        Properties p = new Properties();
        p.setProperty("source.bootstrap.servers", spec.sourceBootstrap());
        p.setProperty("target.bootstrap.servers", spec.targetBootstrap());
        p.setProperty("topics", spec.topicsRegex());
        p.setProperty("groups", spec.groupsRegex());
        p.setProperty("link.name", "bench-" + spec.runId());
        p.setProperty("http.port", "0");
        p.setProperty("groups.sync.interval.ms", "1000");
        p.setProperty("replication.pipelines", Integer.toString(pipelines));
        if (spec.sameCodecOnTarget()) {
            p.setProperty("target.compression.type", spec.compression());
        }
        return p;
    }

    @Override
    public Child start(RunSpec spec) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it with mvn -B install");
        }
        Path file = spec.workDir().resolve("strait-" + spec.runId() + ".properties");
        try (var out = Files.newBufferedWriter(file)) {
            config(spec, pipelines).store(out, "Strait, written by strait.benchmarks.SideBySide");
        }
        List<String> command = new ArrayList<>();
        command.add(Child.java());
        command.addAll(jvmOpts);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        command.addAll(List.of("run", "--config", file.toString()));
        return Child.start("strait-" + spec.runId(), command, spec.workDir());
    }

    @Override
    public Map<Integer, Long> translate(RunSpec spec, Child process, String group) throws Exception {
        String base = process.awaitStdout(API_URL, Duration.ofSeconds(5));
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                base + "/offsets/groups/" + URLEncoder.encode(group, StandardCharsets.UTF_8)))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Map<Integer, Long> result = new HashMap<>();
        if (response.statusCode() != 200) {
            return result;
        }
        JsonArray partitions = new JsonObject(response.body()).getJsonArray("partitions", new JsonArray());
        for (int i = 0; i < partitions.size(); i++) {
            JsonObject p = partitions.getJsonObject(i);
            if (spec.bulkTopic().equals(p.getString("topic"))
                    && Boolean.TRUE.equals(p.getBoolean("valid"))
                    && p.getLong("targetOffset") != null) {
                result.put(p.getInteger("partition"), p.getLong("targetOffset"));
            }
        }
        return result;
    }
}

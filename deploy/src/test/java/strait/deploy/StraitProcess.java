package strait.deploy;

import static strait.embedded.Eventually.eventually;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code strait.jar} running as a child JVM, exactly as an operator starts it, with its stdout and stderr captured to
 * files. Tests read what it printed and talk to its HTTP API; {@link #close} kills it if it still runs.
 */
final class StraitProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "strait.jar");
    private static final Pattern HEALTH_URL = Pattern.compile("(http://[0-9.:a-z]+)/health");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private StraitProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code java [jvmArgs] -jar strait.jar [args]}. */
    static StraitProcess start(Path workDir, List<String> jvmArgs, String... args) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the package phase first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "stdout", ".txt");
        Path err = Files.createTempFile(workDir, "stderr", ".txt");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        return new StraitProcess(process, out, err);
    }

    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    Process process() {
        return process;
    }

    /** Waits until the process prints its health URL on stdout; returns the base URL. */
    String awaitBaseUrl(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = HEALTH_URL.matcher(stdout());
            if (m.find()) {
                return m.group(1);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("strait exited with " + process.exitValue() + ": " + stderr());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no health URL printed within " + timeout + "; stderr: " + stderr());
    }

    /**
     * Polls {@code base/status} until {@code condition} holds of its partitions; returns them. Fails naming
     * {@code what}, with the last answer and the tail of stderr.
     */
    Map<TopicPartition, JsonObject> awaitPartitions(
            String base, String what, Duration within, Predicate<Map<TopicPartition, JsonObject>> condition) {
        AtomicReference<Map<TopicPartition, JsonObject>> last = new AtomicReference<>(Map.of());
        eventually(
                what,
                within,
                () -> {
                    last.set(partitions(base));
                    return condition.test(last.get());
                },
                () -> last.get() + "; stderr: " + stderrTail());
        return last.get();
    }

    /** {@code GET base/status}: each partition's entry. */
    static Map<TopicPartition, JsonObject> partitions(String base) throws IOException, InterruptedException {
        HttpResponse<String> response = get(base + "/status");
        if (response.statusCode() != 200) {
            throw new AssertionError("/status answered " + response.statusCode() + ": " + response.body());
        }
        Map<TopicPartition, JsonObject> byPartition = new HashMap<>();
        JsonArray array = new JsonObject(response.body()).getJsonArray("partitions");
        for (int i = 0; i < array.size(); i++) {
            JsonObject p = array.getJsonObject(i);
            byPartition.put(new TopicPartition(p.getString("topic"), p.getInteger("partition")), p);
        }
        return byPartition;
    }

    /** The last lines the sidecar logged, for failure messages. */
    String stderrTail() {
        try {
            String err = stderr();
            return err.substring(Math.max(0, err.length() - 4_000));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Polls until GET url answers {@code status}; returns that response. */
    static HttpResponse<String> awaitStatus(String url, int status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<HttpResponse<String>> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = get(url);
                if (response.statusCode() == status) {
                    return response;
                }
                last = Optional.of(response);
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET " + url + " did not answer " + status + " within " + timeout + "; last: "
                + last.map(r -> r.statusCode() + " " + r.body()).orElse("no answer"));
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs {@code body}; unchecked, so a state listener or a lambda can call it. */
    static HttpResponse<String> post(String url, String body) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends SIGTERM and waits; returns the exit code, or empty when it did not exit in time. */
    Optional<Integer> terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? Optional.of(process.exitValue())
                : Optional.empty();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

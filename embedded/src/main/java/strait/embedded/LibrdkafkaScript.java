package strait.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * One of this package's librdkafka scripts (Debian's {@code python3-confluent-kafka}) as a child process: started
 * from its resource, stopped by closing its standard input, its stderr kept in a file for assertion messages. Missing
 * the module, the calling test is skipped with the package to install; missing it while
 * {@code STRAIT_REQUIRE_CONFLUENT_KAFKA} or {@code CI} is set, it fails (as {@link SystemPrograms} does).
 */
final class LibrdkafkaScript implements AutoCloseable {

    private final Process process;
    private final Path errors;

    private LibrdkafkaScript(Process process, Path errors) {
        this.process = process;
        this.errors = errors;
    }

    /** Copies {@code script} (a resource beside this class) into {@code workDir} and runs it with {@code args}. */
    static LibrdkafkaScript start(String script, Path workDir, String errorsName, List<String> args)
            throws IOException {
        String python = python();
        Path file = workDir.resolve(script);
        try (InputStream in = LibrdkafkaScript.class.getResourceAsStream(script)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        Path errors = workDir.resolve(errorsName);
        List<String> command = new ArrayList<>(List.of(python, file.toString()));
        command.addAll(args);
        Process process =
                new ProcessBuilder(command).redirectError(errors.toFile()).start();
        return new LibrdkafkaScript(process, errors);
    }

    /** Debian's interpreter carries the module; a python3 earlier on the PATH (pyenv) may not. */
    private static String python() {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process check = new ProcessBuilder(candidate, "-c", "import confluent_kafka")
                        .redirectErrorStream(true)
                        .start();
                if (check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // not there: try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        String reason =
                "python3 with confluent-kafka (librdkafka) is missing: apt-get install -y python3-confluent-kafka";
        if (System.getenv("CI") != null || System.getenv("STRAIT_REQUIRE_CONFLUENT_KAFKA") != null) {
            throw new AssertionError(reason);
        }
        System.err.println("SKIPPED " + reason);
        Assumptions.abort(reason);
        throw new IllegalStateException("unreachable");
    }

    /** What the script prints, one line per event. */
    InputStream stdout() {
        return process.getInputStream();
    }

    /** The last lines librdkafka wrote to stderr, for assertion messages. */
    String errorTail() {
        try {
            List<String> lines = Files.readAllLines(errors);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    /**
     * Closes its standard input, which tells it to finish, and waits up to {@code timeout}.
     *
     * @return its exit code
     */
    int finish(Duration timeout, String what) throws InterruptedException, IOException {
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(
                    "the librdkafka " + what + " did not exit within " + timeout.toSeconds() + " s: " + errorTail());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}

package strait.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * An idempotent librdkafka producer ({@code librdkafka_producer.py} on Debian's {@code python3-confluent-kafka}) as
 * a child process: it sends {@code rdk-<n>} to partition {@code n % partitions} about once a millisecond until
 * {@link #stop}, and every delivery report is collected, so a test can check what a non-Java client saw across a
 * cutover. Missing the module, the calling test is skipped with the package to install; missing it while
 * {@code STRAIT_REQUIRE_CONFLUENT_KAFKA} or {@code CI} is set, it fails (as {@link SystemPrograms} does).
 *
 * <p>Threads: one reader thread collects the reports; the accessors are for the test's thread.
 */
public final class LibrdkafkaProducer implements AutoCloseable {

    private final Process process;
    private final Path errors;
    private final Thread reader;
    private final Map<Integer, List<String>> acked = new HashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger ackCount = new AtomicInteger();

    private LibrdkafkaProducer(Process process, Path errors) {
        this.process = process;
        this.errors = errors;
        this.reader = new Thread(this::readReports, "librdkafka-reports");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the producer against {@code bootstrap}; skips or fails the calling test when librdkafka is missing. */
    public static LibrdkafkaProducer start(String bootstrap, String topic, int partitions, Path workDir)
            throws IOException {
        String python = python();
        Path script = workDir.resolve("librdkafka_producer.py");
        try (InputStream in = LibrdkafkaProducer.class.getResourceAsStream("librdkafka_producer.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path errors = workDir.resolve("librdkafka-" + topic + ".err");
        Process process = new ProcessBuilder(python, script.toString(), bootstrap, topic, String.valueOf(partitions))
                .redirectError(errors.toFile())
                .start();
        return new LibrdkafkaProducer(process, errors);
    }

    /** Debian's interpreter carries the module; a python3 earlier on the PATH (pyenv) may not. */
    static String python() {
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

    private void readReports() {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                String[] parts = line.split(" ", 3);
                if (parts[0].equals("ACK")) {
                    synchronized (acked) {
                        acked.computeIfAbsent(Integer.parseInt(parts[1]), p -> new ArrayList<>())
                                .add(parts[2]);
                    }
                    ackCount.incrementAndGet();
                } else {
                    failures.add(line);
                }
            }
        } catch (IOException e) {
            failures.add("reading the producer's reports: " + e);
        }
    }

    /** Delivery reports that were successes so far. */
    public int ackCount() {
        return ackCount.get();
    }

    /** The acknowledged values per partition, in delivery-report order. */
    public Map<Integer, List<String>> acked() {
        synchronized (acked) {
            Map<Integer, List<String>> copy = new HashMap<>();
            acked.forEach((p, values) -> copy.put(p, List.copyOf(values)));
            return copy;
        }
    }

    /** Every report that was not a success, and what went wrong reading them. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** The last lines librdkafka wrote to stderr, for assertion messages. */
    public String errorTail() {
        try {
            List<String> lines = Files.readAllLines(errors);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    /**
     * Closes its standard input, so it flushes and exits; waits for that.
     *
     * @return its exit code: 0 when every record was delivered
     */
    public int stop() throws InterruptedException, IOException {
        process.getOutputStream().close();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the librdkafka producer did not flush and exit within 90 s: " + errorTail());
        }
        reader.join(10_000);
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}

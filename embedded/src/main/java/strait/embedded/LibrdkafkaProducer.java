package strait.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

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

    private final LibrdkafkaScript script;
    private final Thread reader;
    private final Map<Integer, List<String>> acked = new HashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger ackCount = new AtomicInteger();

    private LibrdkafkaProducer(LibrdkafkaScript script) {
        this.script = script;
        this.reader = new Thread(this::readReports, "librdkafka-reports");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the producer against {@code bootstrap}; skips or fails the calling test when librdkafka is missing. */
    public static LibrdkafkaProducer start(String bootstrap, String topic, int partitions, Path workDir)
            throws IOException {
        return new LibrdkafkaProducer(LibrdkafkaScript.start(
                "librdkafka_producer.py",
                workDir,
                "librdkafka-" + topic + ".err",
                List.of(bootstrap, topic, String.valueOf(partitions))));
    }

    private void readReports() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(script.stdout(), StandardCharsets.UTF_8))) {
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
        return script.errorTail();
    }

    /**
     * Closes its standard input, so it flushes and exits; waits for that.
     *
     * @return its exit code: 0 when every record was delivered
     */
    public int stop() throws InterruptedException, IOException {
        int exit = script.finish(Duration.ofSeconds(90), "producer (flushing)");
        reader.join(10_000);
        return exit;
    }

    @Override
    public void close() {
        script.close();
    }
}

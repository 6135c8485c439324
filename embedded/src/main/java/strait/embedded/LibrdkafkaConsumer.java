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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A librdkafka consumer ({@code librdkafka_consumer.py} on Debian's {@code python3-confluent-kafka}, classic group
 * protocol) as a child process: it reads a topic in a group from the earliest offset, committing after each batch it
 * processed, until {@link #stop}; every record it processed is collected per partition, in order, so a test can check
 * what a non-Java consumer read across a cutover. Skips or fails like {@link LibrdkafkaProducer} when the module is
 * missing.
 *
 * <p>Threads: one reader thread collects the records; the accessors are for the test's thread.
 */
public final class LibrdkafkaConsumer implements AutoCloseable {

    private final LibrdkafkaScript script;
    private final Thread reader;
    private final Map<Integer, List<String>> processed = new HashMap<>();
    private final List<String> unexpected = new ArrayList<>();
    private final AtomicInteger count = new AtomicInteger();

    private LibrdkafkaConsumer(LibrdkafkaScript script) {
        this.script = script;
        this.reader = new Thread(this::readRecords, "librdkafka-records");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the consumer against {@code bootstrap}; skips or fails the calling test when librdkafka is missing. */
    public static LibrdkafkaConsumer start(String bootstrap, String topic, String group, Path workDir)
            throws IOException {
        return new LibrdkafkaConsumer(LibrdkafkaScript.start(
                "librdkafka_consumer.py",
                workDir,
                "librdkafka-consumer-" + group + ".err",
                List.of(bootstrap, topic, group)));
    }

    private void readRecords() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(script.stdout(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                String[] parts = line.split(" ", 3);
                synchronized (processed) {
                    if (parts.length == 3 && parts[0].equals("REC")) {
                        processed
                                .computeIfAbsent(Integer.parseInt(parts[1]), p -> new ArrayList<>())
                                .add(parts[2]);
                        count.incrementAndGet();
                    } else {
                        unexpected.add(line);
                    }
                }
            }
        } catch (IOException e) {
            synchronized (processed) {
                unexpected.add("reading the consumer's records: " + e);
            }
        }
    }

    /** Records processed so far. */
    public int count() {
        return count.get();
    }

    /** The values processed per partition, in the order processed. */
    public Map<Integer, List<String>> processed() {
        synchronized (processed) {
            Map<Integer, List<String>> copy = new HashMap<>();
            processed.forEach((p, values) -> copy.put(p, List.copyOf(values)));
            return copy;
        }
    }

    /** Output lines that were not records. */
    public List<String> unexpected() {
        synchronized (processed) {
            return List.copyOf(unexpected);
        }
    }

    /** The last lines librdkafka wrote to stderr, for assertion messages. */
    public String errorTail() {
        return script.errorTail();
    }

    /**
     * Closes its standard input, so it leaves the group and exits; waits for that.
     *
     * @return its exit code: 0 unless a fatal error stopped it
     */
    public int stop() throws InterruptedException, IOException {
        int exit = script.finish(Duration.ofSeconds(60), "consumer");
        reader.join(10_000);
        return exit;
    }

    @Override
    public void close() {
        script.close();
    }
}

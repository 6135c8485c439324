package strait.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One KRaft node (broker and controller in one process) as a child JVM, run from the broker classes that
 * {@code strait.jar} carries for its demo, so a test can {@code kill -9}, {@code SIGSTOP}, stop and restart it with
 * its data, as on a real host. Used from the test thread only.
 */
final class BrokerProcess {

    private final int nodeId;
    private final Path dir;
    private final Path properties;
    private Process process;
    private int starts;

    BrokerProcess(int nodeId, Path dir, Path properties) {
        this.nodeId = nodeId;
        this.dir = dir;
        this.properties = properties;
    }

    int nodeId() {
        return nodeId;
    }

    /** Formats the node's log directory for {@code clusterId} (before its first start only). */
    void format(String clusterId) throws IOException, InterruptedException {
        Process format = new ProcessBuilder(java(
                        "kafka.tools.StorageTool",
                        "format",
                        "--cluster-id",
                        clusterId,
                        "--config",
                        properties.toString(),
                        "--ignore-formatted"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.txt").toFile())
                .start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting node " + nodeId + " failed: "
                    + Files.readString(dir.resolve("format.txt"), StandardCharsets.UTF_8));
        }
    }

    /** Starts the node on its data; its log goes to {@code broker-<start>.log} in its directory. */
    void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " already runs");
        }
        starts++;
        process = new ProcessBuilder(java("kafka.Kafka", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("broker-" + starts + ".log").toFile())
                .start();
    }

    /** {@code kill -9}: no controlled shutdown, unflushed pages left as the kernel has them. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + nodeId + " survived SIGKILL");
        }
    }

    /** SIGTERM: the broker's controlled shutdown, leadership moved away first. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("node " + nodeId + " did not stop within 120 s of SIGTERM");
        }
    }

    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /**
     * SIGCONT. A node that exited while frozen (seen once, exit status not known then) is started again on its data,
     * saying so: the fault it was meant to undergo became a stop, and the suite goes on.
     */
    void resume() throws IOException, InterruptedException {
        if (!alive()) {
            System.out.printf(
                    "BrokerProcess: node %d exited (status %d) while frozen; starting it again%n",
                    nodeId, process.exitValue());
            start();
            return;
        }
        signal("CONT");
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** The last lines the node logged, for failure messages. */
    String logTail() {
        try {
            String log = Files.readString(dir.resolve("broker-" + starts + ".log"), StandardCharsets.UTF_8);
            return log.substring(Math.max(0, log.length() - 3_000));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    void close() throws InterruptedException {
        if (alive()) {
            signal0("CONT");
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private void signal(String signal) throws IOException, InterruptedException {
        if (!alive()) {
            throw new IllegalStateException("node " + nodeId + " is not running"
                    + (process == null ? "" : " (exited with status " + process.exitValue() + ")"));
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    private void signal0(String signal) {
        try {
            signal(signal);
        } catch (IOException | RuntimeException e) {
            // Closing: the process is killed next anyway.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code java} with a small heap and the serial collector: six nodes share two cores with the test. */
    private static List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(
                "-Xmx384m",
                "-Xms128m",
                "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp",
                StraitProcess.JAR.toAbsolutePath().toString(),
                mainClass));
        command.addAll(List.of(args));
        return command;
    }
}

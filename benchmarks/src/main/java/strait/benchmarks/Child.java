package strait.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM of the harness, its stdout and stderr in files. Every child still alive when the harness exits (normally,
 * on Ctrl-C or on failure) is killed, with its descendants, by one shutdown hook.
 */
final class Child implements AutoCloseable {

    private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Child::kill), "kill-children"));
    }

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final long startNanos;

    private Child(String name, Process process, Path stdout, Path stderr, long startNanos) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.startNanos = startNanos;
    }

    static Child start(String name, List<String> command, Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        Child child = new Child(name, process, out, err, start);
        LIVE.add(child);
        return child;
    }

    /** The java launcher of this JVM, for children. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> javaCommand(List<String> jvmArgs, String classpath, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    String name() {
        return name;
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long startNanos() {
        return startNanos;
    }

    Path stdoutFile() {
        return stdout;
    }

    Path stderrFile() {
        return stderr;
    }

    /** Waits until stdout has a match for {@code pattern}; returns group 1. Fails early if the child exits. */
    String awaitStdout(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(Files.readString(stdout, StandardCharsets.UTF_8));
            if (m.find()) {
                return m.group(1);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with " + process.exitValue() + "; stderr tail: " + tail(stderr));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(
                name + " printed no " + pattern + " within " + timeout + "; stderr tail: " + tail(stderr));
    }

    String stderrTail() {
        return tail(stderr);
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Closes stdin, then SIGTERM, waits up to {@code grace}, then kills it and its descendants. */
    void stop(Duration grace) throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // Already gone.
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            System.err.println(name + " did not stop within " + grace + ": killing it");
        }
        kill();
    }

    private void kill() {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(this);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(15));
        } else {
            LIVE.remove(this);
        }
    }
}

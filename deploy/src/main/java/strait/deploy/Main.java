package strait.deploy;

import java.io.PrintStream;
import java.nio.file.Path;
import strait.config.ErrorText;
import strait.config.InvalidConfigException;
import strait.config.StraitConfig;

/**
 * {@code java -jar strait.jar run|demo|validate [--config FILE]} and {@code cutover --url URL}: the process entry
 * point.
 *
 * <p>Exit codes (docs/contract.md): 0 success; 2 bad command line or bad config, one line per problem on stderr; 1 any
 * other failure, as one line without a stack trace.
 */
public final class Main {

    static {
        // Before any logger exists (decision 0008). strait.jar logs through slf4j-simple (simplelogger.properties);
        // the documented level switches map onto its keys. In the tests log4j2 is the backend: its file must win
        // over the Kafka test kit's.
        mapLevel("strait.log.level", "org.slf4j.simpleLogger.log.strait");
        mapLevel("strait.log.root.level", "org.slf4j.simpleLogger.defaultLogLevel");
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "log4j2-strait.xml");
        }
    }

    private static void mapLevel(String straitKey, String simpleLoggerKey) {
        String level = System.getProperty(straitKey);
        if (level != null && System.getProperty(simpleLoggerKey) == null) {
            System.setProperty(simpleLoggerKey, level.toLowerCase(java.util.Locale.ROOT));
        }
    }

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int BAD_INPUT = 2;
    /** {@code cutover}: the run aborted (or the dry run failed); the link still mirrors. */
    public static final int ABORTED = 3;

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != OK || !CommandLine.isLongRunning(args)) {
            System.exit(code);
        }
    }

    /** Runs one command; returns its exit code. Long-running commands return once stopped. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli;
        try {
            cli = CommandLine.parse(args);
        } catch (CommandLine.UsageException e) {
            err.println("strait: " + e.getMessage());
            err.println(CommandLine.USAGE);
            return BAD_INPUT;
        }
        try {
            return switch (cli.command()) {
                case HELP -> {
                    out.println(CommandLine.USAGE);
                    yield OK;
                }
                case VALIDATE -> validate(cli.configFile(), out);
                case RUN -> runSidecar(ConfigFile.load(cli.configFile()), out);
                case DEMO -> Demo.run(out);
                case CUTOVER -> CutoverCommand.run(cli.url(), cli.dryRun(), cli.tokenFile(), out, err);
                case REPORT -> ReportCommand.run(cli.url(), cli.out(), cli.tokenFile(), out, err);
            };
        } catch (InvalidConfigException e) {
            e.problems().forEach(p -> err.println("config: " + p));
            return BAD_INPUT;
        } catch (StartupException e) {
            err.println("strait: " + e.getMessage());
            return FAILURE;
        } catch (RuntimeException e) {
            err.println("strait: failed: " + ErrorText.describe(e));
            return FAILURE;
        }
    }

    private static int validate(Path file, PrintStream out) {
        StraitConfig config = ConfigFile.load(file);
        out.println("config " + file + " is valid:");
        config.masked().forEach((k, v) -> out.println("  " + k + "=" + v));
        return OK;
    }

    private static int runSidecar(StraitConfig config, PrintStream out) {
        Sidecar sidecar = new Sidecar();
        // Before the start-up: a SIGTERM while it waits for a cluster closes what has started, the fence included.
        ShutdownHook stop = ShutdownHook.register(sidecar);
        sidecar.startAll(config, strait.cutover.Cutover.Listener.NONE);
        String base = "http://" + sidecar.httpAddress();
        out.println("strait is running: " + String.join(", ", sidecar.partNames()));
        out.println("  health        " + base + "/health");
        out.println("  cutover gates " + base + "/gates/ready");
        out.flush();
        stop.await();
        return OK;
    }
}

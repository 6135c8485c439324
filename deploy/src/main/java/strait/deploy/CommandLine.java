package strait.deploy;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The parsed command line: one command, and the config file where the command takes one; for {@code cutover} the
 * sidecar's URL, whether it is a dry run and the bearer token's file.
 */
record CommandLine(Command command, Path configFile, String url, boolean dryRun, Path tokenFile, Path out) {

    enum Command {
        RUN,
        DEMO,
        VALIDATE,
        CUTOVER,
        REPORT,
        HELP
    }

    static final String USAGE = """
            usage: java -jar strait.jar <command> [--config FILE]
              run --config FILE        run the sidecar against the clusters in FILE
              demo                     run everything on two embedded clusters, with sample traffic
              validate --config FILE   check FILE and exit (0 valid, 2 invalid)
              cutover --url URL [--dry-run] [--token-file FILE]
                                       run a cutover on the sidecar at URL and print each step
                                       (0 switched or dry run passed, 3 aborted, 1 error)
              report --url URL --out FILE [--token-file FILE]
                                       save the sidecar's audit report: FILE.md and FILE.json,
                                       each with the SHA-256 of its content (0 saved, 1 error)
              --help                   print this help
            exit codes: 0 success, 2 bad command line or config, 1 any other failure""";

    /** A command line that cannot be run; its message says what is wrong. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    static CommandLine parse(String[] args) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("no command given");
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            return new CommandLine(Command.HELP, null, null, false, null, null);
        }
        Command command = switch (args[0]) {
            case "run" -> Command.RUN;
            case "demo" -> Command.DEMO;
            case "validate" -> Command.VALIDATE;
            case "cutover" -> Command.CUTOVER;
            case "report" -> Command.REPORT;
            default -> throw new UsageException("unknown command '" + args[0] + "'");
        };
        Path config = null;
        String url = null;
        Path tokenFile = null;
        boolean dryRun = false;
        Path out = null;
        boolean client = command == Command.CUTOVER || command == Command.REPORT;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (command == Command.CUTOVER && arg.equals("--dry-run")) {
                dryRun = true;
            } else if (client && (arg.equals("--url") || arg.equals("--token-file"))
                    || command == Command.REPORT && arg.equals("--out")) {
                if (i + 1 >= args.length) {
                    throw new UsageException(arg + " needs a value");
                }
                if (arg.equals("--url")) {
                    url = args[++i];
                } else if (arg.equals("--out")) {
                    out = Path.of(args[++i]);
                } else {
                    tokenFile = Path.of(args[++i]);
                }
            } else if (!client && arg.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new UsageException("--config needs a file");
                }
                config = Path.of(args[++i]);
            } else if (!client && arg.startsWith("--config=")) {
                config = Path.of(arg.substring("--config=".length()));
            } else {
                throw new UsageException("unknown argument '" + arg + "'");
            }
        }
        if (command == Command.DEMO && config != null) {
            throw new UsageException("demo takes no --config: it runs on embedded clusters");
        }
        if ((command == Command.RUN || command == Command.VALIDATE) && config == null) {
            throw new UsageException(args[0] + " needs --config FILE");
        }
        if (command == Command.REPORT && out == null) {
            throw new UsageException("report needs --out FILE (it writes FILE.md and FILE.json)");
        }
        if (client) {
            if (url == null) {
                throw new UsageException(
                        args[0] + " needs --url URL (the sidecar's HTTP API, e.g. http://127.0.0.1:8080)");
            }
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new UsageException("--url must start with http:// or https://, got '" + url + "'");
            }
        }
        return new CommandLine(command, config, url, dryRun, tokenFile, out);
    }

    /** Whether the command keeps the process alive after {@code main} returns (it waits for a signal instead). */
    static boolean isLongRunning(String[] args) {
        return args.length > 0 && (args[0].equals("run") || args[0].equals("demo"));
    }
}

package strait.deploy;

import java.nio.file.Path;
import java.util.Arrays;

/** The parsed command line: one command, and the config file where the command takes one. */
record CommandLine(Command command, Path configFile) {

    enum Command {
        RUN,
        DEMO,
        VALIDATE,
        HELP
    }

    static final String USAGE = """
            usage: java -jar strait.jar <command> [--config FILE]
              run --config FILE        run the sidecar against the clusters in FILE
              demo                     run everything on two embedded clusters, with sample traffic
              validate --config FILE   check FILE and exit (0 valid, 2 invalid)
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
            return new CommandLine(Command.HELP, null);
        }
        Command command = switch (args[0]) {
            case "run" -> Command.RUN;
            case "demo" -> Command.DEMO;
            case "validate" -> Command.VALIDATE;
            default -> throw new UsageException("unknown command '" + args[0] + "'");
        };
        Path config = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new UsageException("--config needs a file");
                }
                config = Path.of(args[++i]);
            } else if (arg.startsWith("--config=")) {
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
        return new CommandLine(command, config);
    }

    /** Whether the command keeps the process alive after {@code main} returns (it waits for a signal instead). */
    static boolean isLongRunning(String[] args) {
        return args.length > 0 && (args[0].equals("run") || args[0].equals("demo"));
    }
}

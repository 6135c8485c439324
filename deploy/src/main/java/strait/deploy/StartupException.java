package strait.deploy;

/** The sidecar could not start (a port taken, a cluster unreachable); the message says what and where. */
final class StartupException extends RuntimeException {

    StartupException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}

package strait.gates;

/**
 * The HTTP API could not start: a port taken, an unreadable token file. The message is one line naming what and
 * where (host:port, the file), fit for the CLI to print as is; no stack trace is needed to act on it.
 */
public final class HttpStartException extends RuntimeException {

    public HttpStartException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}

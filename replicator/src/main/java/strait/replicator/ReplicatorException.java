package strait.replicator;

/** The replicator cannot start or go on; the message says why and never holds a secret. */
public final class ReplicatorException extends RuntimeException {
    public ReplicatorException(String message, Throwable cause) {
        super(message, cause);
    }

    public ReplicatorException(String message) {
        super(message);
    }
}

package strait.offsets;

/** The offsets topic on the target could not be created, read or written. The message never holds secrets. */
public final class OffsetStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OffsetStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public OffsetStoreException(String message) {
        super(message);
    }
}

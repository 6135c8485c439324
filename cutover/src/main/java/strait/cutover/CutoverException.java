package strait.cutover;

/** A cutover step could not be taken: the message says which and why, for the operator and the evidence. */
public final class CutoverException extends RuntimeException {

    public CutoverException(String message, Throwable cause) {
        super(message, cause);
    }
}

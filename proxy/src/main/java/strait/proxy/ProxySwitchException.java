package strait.proxy;

/**
 * The proxy did not switch to the target: the producer ids could not be allocated there, persisting the mapping
 * failed, or producer ids kept appearing. The proxy still forwards to the source and nothing was dropped; the
 * message says why, for the cutover's abort reason.
 */
public final class ProxySwitchException extends RuntimeException {
    public ProxySwitchException(String message, Throwable cause) {
        super(message, cause);
    }
}

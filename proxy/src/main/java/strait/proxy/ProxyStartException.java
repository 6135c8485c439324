package strait.proxy;

/** The proxy could not start: a port it cannot bind, an upstream cluster it cannot reach. The message says which. */
public final class ProxyStartException extends RuntimeException {

    public ProxyStartException(String message, Throwable cause) {
        super(message, cause);
    }
}

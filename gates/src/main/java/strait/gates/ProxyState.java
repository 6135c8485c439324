package strait.gates;

/**
 * The producer proxy's state as the {@code producer-proxy} gate sees it. Only {@link #NONE} exists until the proxy
 * is built (DESIGN §7); states are added here, additively, when it is.
 */
public enum ProxyState {
    /** No producer proxy runs in this sidecar. */
    NONE;

    /** The lowercase name served over HTTP. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

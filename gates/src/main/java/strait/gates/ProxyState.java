package strait.gates;

/**
 * The producer proxy's state as the {@code producer-proxy} gate sees it: {@link #NONE} when no proxy runs, otherwise
 * the link's cutover state (docs/cutover.md), named the same.
 */
public enum ProxyState {
    /** No producer proxy runs in this sidecar. */
    NONE,
    /** The proxy forwards to the source; no cutover is running. */
    MIRRORING,
    FENCING,
    VERIFYING_FENCE,
    DRAINING,
    MOVING_CONSUMERS,
    SYNCING,
    SWITCHING,
    /** The proxy forwards to the target. */
    SWITCHED;

    /** The lowercase name served over HTTP. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

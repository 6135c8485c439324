package strait.proxy;

import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns which cluster the proxy forwards to: the one place that says "source" or "target". It starts at
 * {@link Cluster#SOURCE}.
 *
 * <p>{@link #switchTo} changes where every client connection accepted from then on goes (a reconnecting client
 * included). Connections already open to the other cluster are retired: the proxy stops reading from them, drops
 * the requests it holds or has not yet forwarded (never answered, so the client sends them again on its next
 * connection), delivers the responses the old cluster still owes, then closes both sides. The client reconnects
 * through the proxy, to the new cluster, authenticates there itself and refreshes its metadata.
 *
 * <p>Thread-safe: any thread may call either method; the retiring happens on the proxy's event loop.
 */
public final class UpstreamRouter {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamRouter.class);

    private final Consumer<Cluster> onSwitch;
    private volatile Cluster current = Cluster.SOURCE;

    UpstreamRouter(Consumer<Cluster> onSwitch) {
        this.onSwitch = Objects.requireNonNull(onSwitch, "onSwitch");
    }

    /** The cluster new connections go to. */
    public Cluster current() {
        return current;
    }

    /**
     * Makes {@code cluster} the one new connections go to and retires the open connections to the other one.
     *
     * @return whether anything changed ({@code false} when {@code cluster} already was current)
     */
    public synchronized boolean switchTo(Cluster cluster) {
        Objects.requireNonNull(cluster, "cluster");
        if (current == cluster) {
            return false;
        }
        Cluster from = current;
        current = cluster;
        LOG.info(
                "producer proxy: forwarding switched from {} to {}; open {} connections are retired",
                from.wireName(),
                cluster.wireName(),
                from.wireName());
        onSwitch.accept(cluster);
        return true;
    }
}

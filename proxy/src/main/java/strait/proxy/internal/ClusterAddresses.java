package strait.proxy.internal;

import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.proxy.Cluster;

/**
 * One cluster's side of address rewriting: learns each broker's real address and says which proxy address stands
 * for it. A broker outside the port range is logged once per node id and counted each time it is left out.
 *
 * <p>Thread-safe; used from the event loop.
 */
public final class ClusterAddresses {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterAddresses.class);

    private final Cluster cluster;
    private final PortScheme scheme;
    private final String advertisedHost;
    private final NodeDirectory directory;
    private final Runnable unmapped;
    private final Set<Integer> warned = ConcurrentHashMap.newKeySet();

    public ClusterAddresses(
            Cluster cluster, PortScheme scheme, String advertisedHost, NodeDirectory directory, Runnable unmapped) {
        this.cluster = cluster;
        this.scheme = scheme;
        this.advertisedHost = advertisedHost;
        this.directory = directory;
        this.unmapped = unmapped;
    }

    public Cluster cluster() {
        return cluster;
    }

    public PortScheme scheme() {
        return scheme;
    }

    public NodeDirectory directory() {
        return directory;
    }

    public String advertisedHost() {
        return advertisedHost;
    }

    /**
     * Records that {@code nodeId} really is at {@code host:port} and answers the proxy port clients get instead.
     *
     * @return empty when the node has no proxy port: the caller leaves it out of what the client learns
     */
    public OptionalInt advertise(int nodeId, String host, int port) {
        directory.put(nodeId, host, port);
        OptionalInt proxyPort = scheme.portOf(nodeId);
        if (proxyPort.isEmpty()) {
            unmapped.run();
            if (warned.add(nodeId)) {
                LOG.warn(
                        "producer proxy: {} broker {} ({}:{}) is outside the proxy's node id range {} "
                                + "(proxy.broker.ports); clients are not told about it and cannot reach it through "
                                + "the proxy",
                        cluster.wireName(),
                        nodeId,
                        host,
                        port,
                        scheme.nodeRange());
            }
        }
        return proxyPort;
    }
}

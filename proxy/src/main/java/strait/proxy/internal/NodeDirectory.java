package strait.proxy.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real address of every broker of one cluster the proxy has seen: filled at start from the cluster's own
 * description, then kept current from every response the proxy rewrites, so a broker port connects where the
 * cluster last said that node is. Thread-safe (written on the event loop, filled once before it starts).
 */
public final class NodeDirectory {

    private final Map<Integer, HostPort> nodes = new ConcurrentHashMap<>();

    public void put(int nodeId, String host, int port) {
        if (nodeId >= 0 && host != null && !host.isEmpty() && port > 0) {
            nodes.put(nodeId, new HostPort(host, port));
        }
    }

    public Optional<HostPort> get(int nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }
}

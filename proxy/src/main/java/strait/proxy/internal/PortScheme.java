package strait.proxy.internal;

import java.util.OptionalInt;

/**
 * Which proxy port stands for which broker of one cluster: node {@code n} is served on
 * {@code bootstrapPort + 1 + (n - lowestNodeId)}, for {@code brokerPorts} consecutive node ids. A node outside that
 * range has no port: the proxy cannot send a client there, and leaves it out of what clients learn. Immutable.
 *
 * @param bootstrapPort the proxy's bootstrap port
 * @param brokerPorts how many broker ports follow it
 * @param lowestNodeId the cluster's lowest broker id when the proxy started
 */
public record PortScheme(int bootstrapPort, int brokerPorts, int lowestNodeId) {

    public PortScheme {
        if (brokerPorts < 1) {
            throw new IllegalArgumentException("brokerPorts must be at least 1: " + brokerPorts);
        }
    }

    /** The proxy port of {@code nodeId}, or empty when it falls outside the range. */
    public OptionalInt portOf(int nodeId) {
        long index = (long) nodeId - lowestNodeId;
        return index >= 0 && index < brokerPorts
                ? OptionalInt.of(bootstrapPort + 1 + (int) index)
                : OptionalInt.empty();
    }

    /** The node id a broker port stands for, or empty for the bootstrap port and ports outside the range. */
    public OptionalInt nodeOf(int port) {
        int index = port - bootstrapPort - 1;
        return index >= 0 && index < brokerPorts ? OptionalInt.of(lowestNodeId + index) : OptionalInt.empty();
    }

    /** The node ids this scheme has ports for, as {@code "lo-hi"}. */
    public String nodeRange() {
        return lowestNodeId + "-" + (lowestNodeId + brokerPorts - 1);
    }
}

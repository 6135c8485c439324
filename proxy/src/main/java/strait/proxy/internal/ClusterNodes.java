package strait.proxy.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * The brokers of one cluster at the proxy's start, asked with the sidecar's own client settings (its own
 * credentials serve only this: no client connection ever uses them). Blocking: called on the starting thread, never
 * on the event loop.
 */
public final class ClusterNodes {

    private static final long TIMEOUT_MS = 30_000;

    private ClusterNodes() {}

    public static Collection<Node> describe(Map<String, Object> clientProps) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put("client.id", "strait-proxy-nodes");
        try (Admin admin = Admin.create(props)) {
            return admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT_MS))
                    .nodes()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the cluster", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot describe the cluster: " + cause.getMessage(), cause);
        }
    }
}

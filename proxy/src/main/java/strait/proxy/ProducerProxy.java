package strait.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.proxy.internal.ClusterAddresses;
import strait.proxy.internal.ClusterNodes;
import strait.proxy.internal.NodeDirectory;
import strait.proxy.internal.PortScheme;
import strait.proxy.internal.ProxyMetrics;
import strait.proxy.internal.ProxyVerticle;

/**
 * The producer proxy: a Kafka-protocol proxy that clients use as their bootstrap address, so that the cutover can
 * hold their writes and move them from the source cluster to the target without a client change.
 *
 * <p>It listens on {@code proxy.listen.port} (bootstrap) and the {@code proxy.broker.ports} ports after it: broker
 * {@code n} of the cluster forwarded to is served on {@code listen.port + 1 + (n - lowest)}, {@code lowest} being
 * that cluster's lowest broker id at start. Every broker address a client can learn is rewritten to one of these, so
 * clients only ever connect to the proxy. Clients authenticate against the upstream cluster through it (their SASL
 * frames pass untouched), so each writes with its own principal and ACLs.
 *
 * <p>Threads: {@link #start} and {@link #close} are called by the composition root's thread and block until done;
 * {@link #router()}, {@link #releaseHeld()} and {@link #heldRequests()} from any thread. Every connection runs on
 * one event loop of the {@link Vertx} handed in, which the caller owns and closes.
 */
public final class ProducerProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerProxy.class);
    private static final long START_TIMEOUT_S = 60;

    private final Vertx vertx;
    private final ProxySettings settings;
    private final ProduceHook hook;
    private final ProxyMetrics metrics;
    private final UpstreamRouter router;
    private volatile ProxyVerticle verticle;
    private String deploymentId;

    public ProducerProxy(Vertx vertx, ProxySettings settings, ProduceHook hook, MeterRegistry registry) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.hook = Objects.requireNonNull(hook, "hook");
        this.metrics = new ProxyMetrics(Objects.requireNonNull(registry, "registry"));
        this.router = new UpstreamRouter(this::retireOthers);
    }

    /**
     * Learns both clusters' brokers and api versions, then binds every port.
     *
     * @throws ProxyStartException naming the cluster that did not answer or the port that could not be bound
     */
    public synchronized void start() {
        if (deploymentId != null) {
            throw new IllegalStateException("already started");
        }
        Map<Cluster, ClusterAddresses> addresses = new EnumMap<>(Cluster.class);
        for (Cluster cluster : Cluster.values()) {
            addresses.put(cluster, addresses(cluster));
        }
        ProxyVerticle started = new ProxyVerticle(settings, addresses, router::current, hook, metrics);
        deploymentId = await(vertx.deployVerticle(started), "starting the producer proxy");
        verticle = started;
        LOG.info(
                "producer proxy listening on {}:{} (bootstrap) and ports {}-{} (one per broker: source node ids {}, "
                        + "target node ids {}), advertised as {}, {} listener; forwarding to {}",
                settings.listenHost(),
                settings.listenPort(),
                settings.listenPort() + 1,
                settings.listenPort() + settings.brokerPorts(),
                addresses.get(Cluster.SOURCE).scheme().nodeRange(),
                addresses.get(Cluster.TARGET).scheme().nodeRange(),
                settings.advertisedHost(),
                settings.listenerTls().isPresent() ? "TLS" : "plain TCP",
                router.current().wireName());
    }

    private ClusterAddresses addresses(Cluster cluster) {
        Collection<Node> nodes;
        try {
            nodes = ClusterNodes.describe(settings.client(cluster));
        } catch (RuntimeException e) {
            throw new ProxyStartException(
                    "producer proxy: the " + cluster.wireName() + " cluster: " + ErrorText.describe(e), e);
        }
        NodeDirectory directory = new NodeDirectory();
        nodes.forEach(n -> directory.put(n.id(), n.host(), n.port()));
        int lowest = nodes.stream().mapToInt(Node::id).min().orElse(0);
        PortScheme scheme = new PortScheme(settings.listenPort(), settings.brokerPorts(), lowest);
        nodes.stream()
                .filter(n -> scheme.portOf(n.id()).isEmpty())
                .forEach(n -> LOG.warn(
                        "producer proxy: {} broker {} is outside the node ids {} that proxy.broker.ports={} covers; "
                                + "clients cannot reach it through the proxy",
                        cluster.wireName(),
                        n.id(),
                        scheme.nodeRange(),
                        settings.brokerPorts()));
        return new ClusterAddresses(cluster, scheme, settings.advertisedHost(), directory, metrics::unmappedBroker);
    }

    /** The one owner of where the proxy forwards to; {@link UpstreamRouter#switchTo} moves it. Any thread. */
    public UpstreamRouter router() {
        return router;
    }

    /**
     * Forwards every held Produce request, and whatever waits behind it, to its connection's upstream, in each
     * connection's order; the hook is asked again for each. Any thread; the work happens on the event loop.
     */
    public void releaseHeld() {
        ProxyVerticle running = verticle;
        if (running != null) {
            running.onLoop(running::releaseHeld);
        }
    }

    /** Produce requests held right now, over all connections. Any thread. */
    public int heldRequests() {
        return metrics.heldRequests();
    }

    /** The bootstrap address clients are given: {@code advertised host:listen port}. */
    public String bootstrapAddress() {
        return settings.advertisedHost() + ":" + settings.listenPort();
    }

    private void retireOthers(Cluster now) {
        ProxyVerticle running = verticle;
        if (running != null) {
            running.onLoop(() -> running.retireOthers(now));
        }
    }

    @Override
    public synchronized void close() {
        if (deploymentId != null) {
            try {
                await(vertx.undeploy(deploymentId), "stopping the producer proxy");
            } catch (ProxyStartException e) {
                LOG.warn("{}", e.getMessage());
            }
            deploymentId = null;
            verticle = null;
        }
        metrics.close();
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProxyStartException("interrupted while " + what, e);
        } catch (TimeoutException e) {
            throw new ProxyStartException("timed out " + what, e);
        } catch (ExecutionException e) {
            throw new ProxyStartException(what + ": " + ErrorText.describe(e.getCause()), e.getCause());
        }
    }
}

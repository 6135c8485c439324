package strait.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.Node;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.proxy.internal.ClusterAddresses;
import strait.proxy.internal.ClusterNodes;
import strait.proxy.internal.NodeDirectory;
import strait.proxy.internal.PortScheme;
import strait.proxy.internal.ProducerIds;
import strait.proxy.internal.ProxyMetrics;
import strait.proxy.internal.ProxyVerticle;
import strait.proxy.internal.TargetProducerIdAllocator;
import strait.proxy.internal.TargetTopicIds;

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
 * <p>Producer ids cross the switch mapped ({@link ProducerIdMapping}): {@link #switchToTarget} gives every source
 * producer id the proxy has seen a fresh target id before it switches, and from then on the proxy rewrites them in
 * what those producers send to the target. Transactional producers are refused (their InitProducerId is answered
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED by the proxy), as their state cannot cross.
 *
 * <p>Threads: {@link #start} and {@link #close} are called by the composition root's thread and block until done;
 * {@link #switchToTarget} blocks the cutover's thread (never the event loop); {@link #router()},
 * {@link #releaseHeld()}, {@link #heldRequests()}, {@link #installMapping} and {@link #producerIdMapping()} from any
 * thread. Every connection runs on one event loop of the {@link Vertx} handed in, which the caller owns and closes.
 */
public final class ProducerProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerProxy.class);
    private static final long START_TIMEOUT_S = 60;
    private static final long LOOP_TIMEOUT_S = 30;
    /** Allocation rounds before a switch gives up: each maps the source ids that appeared during the one before. */
    private static final int SWITCH_ROUNDS = 5;

    private final Vertx vertx;
    private final ProxySettings settings;
    private final ProduceHook hook;
    private final ProxyMetrics metrics;
    private final UpstreamRouter router;
    private final ProducerIds producerIds;
    private volatile ProxyVerticle verticle;
    private String deploymentId;

    public ProducerProxy(Vertx vertx, ProxySettings settings, ProduceHook hook, MeterRegistry registry) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.hook = Objects.requireNonNull(hook, "hook");
        this.metrics = new ProxyMetrics(Objects.requireNonNull(registry, "registry"));
        this.router = new UpstreamRouter(this::retireOthers);
        this.producerIds = new ProducerIds(ProducerIds.DEFAULT_CAPACITY, metrics);
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
        ProxyVerticle started = new ProxyVerticle(settings, addresses, router::current, hook, metrics, producerIds);
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

    /**
     * Switches forwarding to the target with the producer ids mapped: gives every source producer id the proxy has
     * seen (in Produce requests to the source, forwarded or held, and in the source's InitProducerId answers) a fresh
     * target producer id, hands the whole mapping to {@code beforeSwitch} (to persist it: a sidecar restarted after
     * the switch must {@link #installMapping install} it again), installs it, then switches as
     * {@link UpstreamRouter#switchTo} does. While this runs, source InitProducerId answers are withheld (the client
     * asks again, on the target once switched), so no id is handed out unmapped; ids that appeared meanwhile in
     * Produce requests are mapped in a further round.
     *
     * <p>Blocks the calling thread for the allocation (one InitProducerId per source id, pipelined over one
     * connection, with the target client settings); never call it on the event loop. Already switched: returns the
     * mapping in use and changes nothing.
     *
     * @param beforeSwitch receives the complete mapping before anything is rewritten; if it throws, the proxy does
     *     not switch
     * @return the mapping in use after the switch
     * @throws ProxySwitchException when the proxy did not switch (it still forwards to the source)
     * @throws IllegalStateException when the proxy is not started
     */
    public synchronized ProducerIdMapping switchToTarget(Consumer<ProducerIdMapping> beforeSwitch) {
        Objects.requireNonNull(beforeSwitch, "beforeSwitch");
        ProxyVerticle running = verticle;
        if (running == null) {
            throw new IllegalStateException("the producer proxy is not started");
        }
        if (router.current() == Cluster.TARGET) {
            return producerIds.mapping();
        }
        onLoop(running, () -> {
            producerIds.freeze();
            return null;
        });
        learnTargetTopicIds(running);
        boolean switched = false;
        try (TargetProducerIdAllocator allocator = new TargetProducerIdAllocator(settings.client(Cluster.TARGET))) {
            for (int round = 1; round <= SWITCH_ROUNDS && !switched; round++) {
                long[] unmapped = onLoop(running, producerIds::unmapped);
                ProducerIdMapping added = allocate(allocator, unmapped);
                beforeSwitch.accept(producerIds.mapping().with(added));
                producerIds.install(added);
                switched = onLoop(running, () -> {
                    if (producerIds.unmapped().length > 0) {
                        return false;
                    }
                    router.switchTo(Cluster.TARGET);
                    return true;
                });
                LOG.info(
                        "producer proxy: round {} mapped {} source producer ids to fresh target ids ({} in all){}",
                        round,
                        added.size(),
                        producerIds.mapping().size(),
                        switched ? "; switched" : "; more appeared meanwhile");
            }
        } catch (ProxySwitchException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProxySwitchException("producer proxy: not switched to the target: " + ErrorText.describe(e), e);
        } finally {
            if (!switched) {
                running.onLoop(producerIds::thaw);
            }
        }
        if (!switched) {
            throw new ProxySwitchException(
                    "producer proxy: not switched to the target: new source producer ids kept appearing for "
                            + SWITCH_ROUNDS + " allocation rounds",
                    null);
        }
        return producerIds.mapping();
    }

    /**
     * Asks the target for the ids of every topic known on the source, so that Produce requests still naming topics by
     * their source ids (v13+) are patched to the target's from the first one after the switch, instead of being
     * answered UNKNOWN_TOPIC_ID. A failure costs only that: the first landing guard still orders the batches.
     */
    private void learnTargetTopicIds(ProxyVerticle running) {
        try {
            java.util.Set<String> names =
                    onLoop(running, () -> producerIds.topicIds().sourceNames());
            Map<String, org.apache.kafka.common.Uuid> ids =
                    TargetTopicIds.describe(settings.client(Cluster.TARGET), names);
            onLoop(running, () -> {
                ids.forEach((name, id) -> producerIds.topicIds().learn(Cluster.TARGET, name, id));
                return null;
            });
            LOG.info(
                    "producer proxy: learned the target's ids of {} of {} topics known on the source",
                    ids.size(),
                    names.size());
        } catch (RuntimeException e) {
            LOG.warn(
                    "producer proxy: could not learn the target's topic ids ({}); clients holding the source's get "
                            + "UNKNOWN_TOPIC_ID once and refresh",
                    ErrorText.describe(e));
        }
    }

    /**
     * Allocates target producer ids for the source ids seen so far and installs them, without switching, so that
     * {@link #switchToTarget} (whose allocation holds writes when the fence is up) only maps the ids that appear
     * after this. Optional; the mapping changes nothing before the switch. Blocks like {@link #switchToTarget}.
     *
     * @return the mapping in use
     * @throws ProxySwitchException when the target ids cannot be allocated
     */
    public synchronized ProducerIdMapping prepareSwitch() {
        ProxyVerticle running = verticle;
        if (running == null) {
            throw new IllegalStateException("the producer proxy is not started");
        }
        long[] unmapped = onLoop(running, producerIds::unmapped);
        try (TargetProducerIdAllocator allocator = new TargetProducerIdAllocator(settings.client(Cluster.TARGET))) {
            ProducerIdMapping added = allocate(allocator, unmapped);
            LOG.info(
                    "producer proxy: prepared the switch: {} source producer ids mapped to fresh target ids",
                    added.size());
            return producerIds.install(added);
        }
    }

    private static ProducerIdMapping allocate(TargetProducerIdAllocator allocator, long[] unmapped) {
        try {
            return allocator.allocate(unmapped);
        } catch (RuntimeException e) {
            throw new ProxySwitchException(
                    "producer proxy: not switched to the target: cannot allocate " + unmapped.length
                            + " producer ids there (InitProducerId needs Write on a topic, or IdempotentWrite on the "
                            + "cluster): " + ErrorText.describe(e),
                    e);
        }
    }

    /**
     * Adds a mapping persisted by an earlier {@link #switchToTarget} (or anything to add to the one in use), before
     * or after {@link #start}. A sidecar restarted after the switch installs it, then switches the router to the
     * target, then starts. Any thread.
     *
     * @return the mapping now in use
     * @throws IllegalArgumentException when it maps a source id differently from the mapping in use
     */
    public ProducerIdMapping installMapping(ProducerIdMapping mapping) {
        return producerIds.install(Objects.requireNonNull(mapping, "mapping"));
    }

    /** The producer id mapping in use (empty before the switch). Any thread. */
    public ProducerIdMapping producerIdMapping() {
        return producerIds.mapping();
    }

    private static <T> T onLoop(ProxyVerticle running, Supplier<T> task) {
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            throw new IllegalStateException("switchToTarget blocks; it must not run on an event loop");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        running.onLoop(() -> {
            try {
                result.complete(task.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(LOOP_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProxySwitchException("producer proxy: interrupted while switching", e);
        } catch (TimeoutException e) {
            throw new ProxySwitchException(
                    "producer proxy: its event loop did not answer within " + LOOP_TIMEOUT_S + " s", e);
        } catch (ExecutionException e) {
            throw new ProxySwitchException("producer proxy: " + ErrorText.describe(e.getCause()), e.getCause());
        }
    }

    /**
     * The consumer groups whose members reached the source's coordinator through the proxy, and how their move
     * stands. Blocks for the event loop's answer; not on an event loop.
     */
    public ProxiedGroups consumerGroups() {
        return onLoop(started(), () -> started().consumerGroups());
    }

    /**
     * Starts moving {@code groups} to the target: their members' heartbeats are answered with the error that makes a
     * consumer give up its partitions, and their rejoins are held until the switch (which closes every connection, so
     * they rejoin on the target) or {@link #endConsumerMoves}. Blocks like {@link #consumerGroups}.
     */
    public void moveConsumers(java.util.Set<String> groups) {
        ProxyVerticle running = started();
        onLoop(running, () -> {
            running.moveConsumers(groups);
            return null;
        });
    }

    /** Ends every consumer move before the switch: the held rejoins go to the source. Blocks like the others. */
    public void endConsumerMoves() {
        ProxyVerticle running = started();
        onLoop(running, () -> {
            running.endConsumerMoves();
            return null;
        });
    }

    private ProxyVerticle started() {
        ProxyVerticle running = verticle;
        if (running == null) {
            throw new IllegalStateException("the producer proxy is not started");
        }
        return running;
    }

    /** Produce requests held right now, over all connections. Any thread. */
    public int heldRequests() {
        return metrics.heldRequests();
    }

    /**
     * Produce requests forwarded to the source whose responses have not come back, over all connections: writes that
     * may still land there. Any thread.
     */
    public int produceRequestsOwedBySource() {
        return metrics.produceOwedBySource();
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

package strait.proxy.internal;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PfxOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.proxy.Cluster;
import strait.proxy.ProduceHook;
import strait.proxy.ProxiedGroups;
import strait.proxy.ProxySettings;

/**
 * The proxy's event loop: probes both clusters' api versions, binds the bootstrap port and the broker ports, pairs
 * each accepted client connection with an upstream broker connection of the cluster current at that moment, and
 * keeps the set of open connections (for a release of held requests and for retiring them at a switch).
 *
 * <p>Deployed once, so every connection of the proxy lives on this verticle's one event loop thread and nothing in
 * it is shared with another thread except through {@link #onLoop}.
 */
public final class ProxyVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyVerticle.class);
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final ProxySettings settings;
    private final Map<Cluster, ClusterAddresses> addresses;
    private final Supplier<Cluster> current;
    private final ProduceHook hook;
    private final ProxyMetrics metrics;
    private final ProducerIds producerIds;
    private final Map<Cluster, Optional<ClientSSLOptions>> tls = new EnumMap<>(Cluster.class);
    private final Map<Cluster, List<HostPort>> bootstrap = new EnumMap<>(Cluster.class);
    private final Map<Cluster, ResponseRewriter> rewriters = new EnumMap<>(Cluster.class);
    private final Set<ClientConnection> connections = new LinkedHashSet<>();
    private final ConsumerMoves moves = new ConsumerMoves();
    private NetClient client;
    private int nextBootstrap;

    public ProxyVerticle(
            ProxySettings settings,
            Map<Cluster, ClusterAddresses> addresses,
            Supplier<Cluster> current,
            ProduceHook hook,
            ProxyMetrics metrics,
            ProducerIds producerIds) {
        this.settings = settings;
        this.addresses = Map.copyOf(addresses);
        this.current = current;
        this.hook = hook;
        this.metrics = metrics;
        this.producerIds = producerIds;
        for (Cluster cluster : Cluster.values()) {
            Map<String, Object> props = settings.client(cluster);
            tls.put(cluster, UpstreamTls.from(props));
            bootstrap.put(
                    cluster,
                    Arrays.stream(String.valueOf(props.get("bootstrap.servers")).split(","))
                            .filter(s -> !s.isBlank())
                            .map(HostPort::parse)
                            .toList());
        }
    }

    @Override
    public Future<?> start() {
        client = vertx.createNetClient(
                new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS).setTcpNoDelay(true));
        Future<ApiVersionsResponseData> source = probe(Cluster.SOURCE);
        Future<ApiVersionsResponseData> target = probe(Cluster.TARGET);
        return Future.all(source, target).compose(both -> {
            ApiVersionsIntersection intersection =
                    new ApiVersionsIntersection(List.of(source.result(), target.result()));
            for (Cluster cluster : Cluster.values()) {
                rewriters.put(
                        cluster,
                        new ResponseRewriter(
                                addresses.get(cluster),
                                intersection,
                                data -> producerIds.topicIds().learned(cluster, data)));
            }
            return listenAll();
        });
    }

    private Future<ApiVersionsResponseData> probe(Cluster cluster) {
        return ApiVersionsProbe.probe(vertx, client, bootstrap.get(cluster), tls.get(cluster))
                .recover(e -> Future.failedFuture(new IllegalStateException(
                        "the " + cluster.wireName() + " cluster did not answer ApiVersions: " + e.getMessage(), e)));
    }

    private Future<?> listenAll() {
        List<Future<?>> bound = new ArrayList<>();
        for (int i = 0; i <= settings.brokerPorts(); i++) {
            int port = settings.listenPort() + i;
            bound.add(vertx.createNetServer(serverOptions(port))
                    .connectHandler(socket -> accept(port, socket))
                    .listen()
                    .recover(e -> Future.failedFuture(new IllegalStateException(
                            "cannot listen on " + settings.listenHost() + ":" + port + ": " + e.getMessage(), e))));
        }
        return Future.all(bound);
    }

    private NetServerOptions serverOptions(int port) {
        NetServerOptions options = new NetServerOptions()
                .setHost(settings.listenHost())
                .setPort(port)
                .setTcpNoDelay(true)
                .setReuseAddress(true);
        settings.listenerTls().ifPresent(store -> {
            options.setSsl(true);
            options.setKeyCertOptions(keyCert(store));
        });
        return options;
    }

    private static KeyCertOptions keyCert(ProxySettings.KeyStoreFile store) {
        return store.type().equals("JKS")
                ? new JksOptions().setPath(store.location()).setPassword(store.password())
                : new PfxOptions().setPath(store.location()).setPassword(store.password());
    }

    private void accept(int port, NetSocket socket) {
        Cluster cluster = current.get();
        ClientConnection connection = new ClientConnection(
                vertx, socket, cluster, rewriters.get(cluster), hook, metrics, producerIds, moves, this::closed);
        connections.add(connection);
        metrics.connectionOpened();
        connection.start(connectUpstream(cluster, port));
    }

    private void closed(ClientConnection connection) {
        if (connections.remove(connection)) {
            metrics.connectionClosed();
        }
    }

    private Future<NetSocket> connectUpstream(Cluster cluster, int port) {
        Future<NetSocket> connecting;
        if (port == settings.listenPort()) {
            List<HostPort> servers = bootstrap.get(cluster);
            connecting = connectFirst(cluster, servers, nextBootstrap++ % servers.size(), servers.size());
        } else {
            OptionalInt node = addresses.get(cluster).scheme().nodeOf(port);
            Optional<HostPort> address =
                    node.isPresent() ? addresses.get(cluster).directory().get(node.getAsInt()) : Optional.empty();
            connecting = address.isPresent()
                    ? client.connect(ApiVersionsProbe.connectOptions(address.get(), tls.get(cluster)))
                    : Future.failedFuture("no " + cluster.wireName() + " broker is known for port " + port);
        }
        return connecting.onFailure(e -> {
            metrics.connectFailed(cluster);
            LOG.debug("producer proxy: no upstream for a client on port {}: {}", port, ErrorText.describe(e));
        });
    }

    /** Tries the bootstrap servers in turn, starting at {@code index}, until one accepts. */
    private Future<NetSocket> connectFirst(Cluster cluster, List<HostPort> servers, int index, int left) {
        HostPort address = servers.get(index);
        Future<NetSocket> attempt = client.connect(ApiVersionsProbe.connectOptions(address, tls.get(cluster)));
        return left <= 1
                ? attempt
                : attempt.recover(e -> connectFirst(cluster, servers, (index + 1) % servers.size(), left - 1));
    }

    /** Runs {@code task} on this verticle's event loop; any thread. */
    public void onLoop(Runnable task) {
        context.runOnContext(v -> task.run());
    }

    /** Retires every connection to a cluster other than {@code now}. Event loop. */
    public void retireOthers(Cluster now) {
        for (ClientConnection connection : List.copyOf(connections)) {
            if (connection.cluster() != now) {
                connection.retire();
            }
        }
    }

    /** Lets every held request go upstream. Event loop. */
    public void releaseHeld() {
        for (ClientConnection connection : List.copyOf(connections)) {
            connection.release();
        }
    }

    /** The consumer groups seen, and how their move stands. Event loop. */
    public ProxiedGroups consumerGroups() {
        return new ProxiedGroups(moves.seen(), moves.letGo());
    }

    /** Starts moving {@code groups} ({@link ConsumerMoves}). Event loop. */
    public void moveConsumers(Set<String> groups) {
        moves.move(groups);
    }

    /** Ends every consumer move and lets what was held go to the source. Event loop. */
    public void endConsumerMoves() {
        moves.endMoves();
        releaseHeld();
    }

    /** The number of open client connections. Event loop. */
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public Future<?> stop() {
        for (ClientConnection connection : List.copyOf(connections)) {
            connection.close();
        }
        return client == null ? Future.succeededFuture() : client.close();
    }
}

package strait.deploy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.config.StraitConfig;
import strait.cutover.Cutover;
import strait.cutover.CutoverException;
import strait.cutover.CutoverRecord;
import strait.cutover.CutoverSettings;
import strait.cutover.CutoverStore;
import strait.gates.CutoverApi;
import strait.gates.GateInputSources;
import strait.gates.GatesServer;
import strait.gates.GatesSettings;
import strait.gates.HttpStartException;
import strait.gates.InputProvider;
import strait.gates.ProxyState;
import strait.gates.Refreshed;
import strait.gates.StartingServer;
import strait.gates.checks.CapacityGate;
import strait.gates.checks.CapacityRefresher;
import strait.gates.checks.CapacitySnapshot;
import strait.gates.checks.ClusterReader;
import strait.gates.checks.CompatibilityGate;
import strait.gates.checks.CompatibilityReader;
import strait.gates.checks.CompatibilitySnapshot;
import strait.gates.checks.DataParityGate;
import strait.gates.checks.InventoryGate;
import strait.gates.checks.InventoryReader;
import strait.gates.checks.InventorySnapshot;
import strait.gates.checks.ParitySampler;
import strait.gates.checks.ParitySnapshot;
import strait.gates.checks.PeriodicInput;
import strait.gates.checks.RehearsalState;
import strait.gates.checks.RollbackGate;
import strait.offsets.GroupOffsetsWorker;
import strait.offsets.OffsetMap;
import strait.offsets.OffsetMapStore;
import strait.offsets.OffsetMaps;
import strait.offsets.OffsetStoreException;
import strait.proxy.Cluster;
import strait.proxy.ProduceFence;
import strait.proxy.ProducerIdMapping;
import strait.proxy.ProducerProxy;
import strait.proxy.ProxySettings;
import strait.proxy.ProxyStartException;
import strait.replicator.Replicator;

/**
 * The composition root: builds every part of the sidecar from one {@link StraitConfig}, starts them in dependency
 * order and closes them in reverse. A part that fails to start closes the ones already running. Nothing talks to a
 * cluster before both accept connections ({@link ClusterWait}); while they do not, the HTTP API answers why.
 */
final class Sidecar implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);

    private final Deque<NamedPart> running = new ArrayDeque<>();
    private String httpAddress = "";
    private String proxyBootstrap = "";
    private Vertx httpVertx;

    private record NamedPart(String name, AutoCloseable part) {}

    /** Set by {@link #close}: a part started after it is closed at once, and the start-up ends. */
    private boolean closed;

    /** A sidecar with nothing started yet: {@link #start(StraitConfig, Cutover.Listener)} starts it. */
    Sidecar() {}

    static Sidecar start(StraitConfig config) {
        return start(config, Cutover.Listener.NONE);
    }

    /** The same, with a listener told of every cutover state entered (for tests that act at a given step). */
    static Sidecar start(StraitConfig config, Cutover.Listener cutoverListener) {
        Sidecar sidecar = new Sidecar();
        sidecar.startAll(config, cutoverListener);
        return sidecar;
    }

    /**
     * Starts every part; on failure closes the ones started and throws. {@link #close} may be called meanwhile from
     * another thread (SIGTERM during a start-up that waits for a cluster): the parts started so far are closed, the
     * link's fence released with them, and the start-up ends with a {@link StartupException}.
     */
    void startAll(StraitConfig config, Cutover.Listener cutoverListener) {
        try {
            startParts(config, cutoverListener);
        } catch (RuntimeException e) {
            // Closed from another thread first (SIGTERM): that, not what it did to the start-up, is the reason.
            boolean stopped = isClosed();
            close();
            if (stopped && !(e instanceof StartupException)) {
                throw new StartupException("stopped while starting", e);
            }
            throw timedOutStart(config, e).<RuntimeException>map(t -> t).orElse(e);
        }
        LOG.info("sidecar started: {}", partNames());
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /**
     * A start-up that timed out although both clusters accepted connections (decision 0012): the same failure, saying
     * which addresses it talked to and what usually causes it. Empty for any other failure.
     */
    static Optional<StartupException> timedOutStart(StraitConfig config, RuntimeException failure) {
        for (Throwable e = failure; e != null; e = e.getCause()) {
            if (e instanceof HttpStartException) {
                return Optional.empty();
            }
            if (e instanceof org.apache.kafka.common.errors.TimeoutException
                    || e instanceof java.util.concurrent.TimeoutException) {
                return Optional.of(new StartupException(
                        "failed: " + ErrorText.describe(failure)
                                + "; the clusters accept connections but did not answer in time"
                                + " (source " + config.getString(StraitConfig.SOURCE_BOOTSTRAP_SERVERS)
                                + ", target " + config.getString(StraitConfig.TARGET_BOOTSTRAP_SERVERS)
                                + "): check that they are Kafka listeners, their security.protocol, and that the"
                                + " brokers' advertised listeners are reachable from here",
                        failure));
            }
        }
        return Optional.empty();
    }

    private void startParts(StraitConfig config, Cutover.Listener cutoverListener) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        started("metrics", registry::close);
        StartingServer starting = awaitClusters(config);
        OffsetMaps maps = new OffsetMaps();
        OffsetMapStore store =
                started("offset store", OffsetMapStore.open(config.targetClientProps(), config.linkName()));
        boolean proxyEnabled = config.getBoolean(StraitConfig.PROXY_ENABLED);
        CutoverStore cutoverStore = null;
        Optional<CutoverRecord> cutoverRecord = Optional.empty();
        if (proxyEnabled) {
            cutoverStore = started("cutover store", openCutoverStore(config));
            cutoverRecord = loadCutover(cutoverStore);
        }
        boolean switched = cutoverRecord.map(r -> r.state().pastSwitch()).orElse(false);
        Replicator replicator = started("replicator", new Replicator(config, maps, store, registry));
        if (switched) {
            // The maps are final: translation and group sync go on for consumers still reading the source.
            maps.putAll(loadMaps(store));
            LOG.info(
                    "the link's producers were switched to the target ({} at {}): replication does not run again; "
                            + "{} offset maps loaded for translation",
                    cutoverRecord.get().state(),
                    cutoverRecord.get().since(),
                    maps.size());
        } else {
            replicator.start();
        }
        GroupOffsetsWorker groups = started("group sync", new GroupOffsetsWorker(config, maps, registry));
        groups.start();
        CutoverApi cutoverApi = CutoverApi.NONE;
        Supplier<ProxyState> proxyState = () -> ProxyState.NONE;
        Supplier<RehearsalState> rehearsals = () -> RehearsalState.NO_CUTOVER;
        if (proxyEnabled) {
            ProduceFence fence = new ProduceFence();
            ProducerProxy proxy = startProxy(
                    config,
                    registry,
                    fence,
                    cutoverRecord.filter(r -> r.state().pastSwitch()).map(CutoverRecord::producerIds));
            SidecarLinkControls controls = started(
                    "cutover controls",
                    new SidecarLinkControls(config.sourceClientProps(), proxy, fence, replicator, groups, maps));
            Cutover cutover = started(
                    "cutover",
                    Cutover.resume(
                            cutoverStore,
                            cutoverRecord,
                            controls,
                            CutoverSettings.from(config),
                            Clock.systemUTC(),
                            cutoverListener));
            cutover.completeSwitch();
            cutoverApi = new CutoverHttp(cutover);
            proxyState = () -> ProxyState.valueOf(cutover.record().state().name());
            rehearsals = () -> RegisteredGates.rehearsals(cutover.record());
        }
        Supplier<RehearsalState> rehearsalState = rehearsals;
        Duration refresh = PeriodicInput.refreshInterval(config.getLong(StraitConfig.GATES_STALE_MS));
        Supplier<Set<String>> topics = () -> RegisteredGates.topics(replicator.status());
        Supplier<Set<String>> groupNames = () -> RegisteredGates.groups(groups);
        InputProvider<CapacitySnapshot> logDirs = clusterReads(
                config,
                CapacityGate.NAME,
                "capacity reads",
                () -> new CapacityRefresher(
                        config.sourceClientProps(), config.targetClientProps(), topics, refresh, Clock.systemUTC()));
        InputProvider<CompatibilitySnapshot> aclsAndQuotas = clusterReads(
                config,
                CompatibilityGate.NAME,
                "ACL and quota reads",
                () -> new CompatibilityReader(
                        config.sourceClientProps(),
                        config.targetClientProps(),
                        topics,
                        groupNames,
                        refresh,
                        Clock.systemUTC()));
        InputProvider<InventorySnapshot> inventory = clusterReads(
                config,
                InventoryGate.NAME,
                "inventory reads",
                () -> new InventoryReader(
                        config.sourceClientProps(),
                        config.targetClientProps(),
                        topics,
                        groupNames,
                        refresh,
                        Clock.systemUTC()));
        GateInputSources adapted = GateInputsAdapter.of(replicator, groups, maps, proxyState);
        InputProvider<ParitySnapshot> samples = Optional::empty;
        if (RegisteredGates.enabled(config, DataParityGate.NAME)) {
            ParitySampler sampler = started(
                    "record samples",
                    new ParitySampler(
                            config.sourceClientProps(),
                            config.targetClientProps(),
                            () -> RegisteredGates.replicated(replicator.status()),
                            adapted.translator(),
                            config.getInt(StraitConfig.GATES_PARITY_SAMPLES),
                            Duration.ofMillis(config.getLong(StraitConfig.GATES_PARITY_INTERVAL_MS)),
                            Clock.systemUTC()));
            sampler.start();
            samples = sampler.input();
        }
        GateInputSources inputs = adapted.with(CapacityGate.LOG_DIRS, logDirs)
                .with(DataParityGate.SAMPLES, samples)
                .with(CompatibilityGate.ACLS_AND_QUOTAS, aclsAndQuotas)
                .with(InventoryGate.INVENTORY, inventory)
                .with(
                        RollbackGate.REHEARSALS,
                        () -> Optional.of(Refreshed.of(
                                rehearsalState.get(), Clock.systemUTC().instant())));
        Vertx httpVertx = httpVertx();
        if (starting != null) {
            // The port is handed over: free it right before the real API binds it.
            starting.close();
            running.removeIf(p -> p.part() == starting);
        }
        GatesServer http = started(
                "http",
                new GatesServer(
                        httpVertx,
                        GatesSettings.from(config),
                        inputs,
                        registry,
                        Clock.systemUTC(),
                        cutoverApi,
                        RegisteredGates.of(config)));
        try {
            http.start();
        } catch (HttpStartException e) {
            throw new StartupException(e.getMessage(), e);
        }
        httpAddress = http.address();
    }

    /**
     * Waits until both clusters accept connections (decision 0012). At once in the normal case; otherwise the HTTP API
     * answers meanwhile ({@link StartingServer}: {@code /health} STARTING, {@code /gates/ready} 503, with the reason)
     * and keeps answering, with a new reason, until the real API takes the port over.
     *
     * @return the start-up API when one had to be started, else null
     */
    private StartingServer awaitClusters(StraitConfig config) {
        AtomicReference<String> reason = new AtomicReference<>("");
        AtomicReference<StartingServer> starting = new AtomicReference<>();
        ClusterWait.untilReachable(config, why -> {
            reason.set(why);
            if (starting.get() == null) {
                StartingServer server = started(
                        "start-up http",
                        new StartingServer(httpVertx(), GatesSettings.from(config), reason::get, Clock.systemUTC()));
                try {
                    server.start();
                } catch (HttpStartException e) {
                    throw new StartupException(e.getMessage(), e);
                }
                starting.set(server);
            }
        });
        reason.set("both clusters are reachable; fencing the link, loading its offset maps and discovering topics");
        return starting.get();
    }

    /** The HTTP API's Vert.x instance (one event loop), apart from the proxy's; built at the first call. */
    private Vertx httpVertx() {
        if (httpVertx == null) {
            Vertx vertx = Vertx.vertx(GatesServer.vertxOptions());
            started("http event loop", () -> vertx.close().await(30, TimeUnit.SECONDS));
            httpVertx = vertx;
        }
        return httpVertx;
    }

    private static CutoverStore openCutoverStore(StraitConfig config) {
        try {
            return CutoverStore.open(config.targetClientProps(), config.linkName());
        } catch (CutoverException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    private static Map<TopicPartition, OffsetMap> loadMaps(OffsetMapStore store) {
        try {
            return store.load();
        } catch (OffsetStoreException e) {
            throw new StartupException("cannot read the link's offset maps: " + e.getMessage(), e);
        }
    }

    private static Optional<CutoverRecord> loadCutover(CutoverStore store) {
        try {
            return store.load();
        } catch (CutoverException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    /**
     * The producer proxy on an event loop of its own (one thread), so a busy HTTP API never delays a produce request.
     * Every request passes the cutover's fence; a link that already switched forwards to the target from the start.
     */
    private ProducerProxy startProxy(
            StraitConfig config,
            PrometheusMeterRegistry registry,
            ProduceFence fence,
            Optional<String> switchedWithProducerIds) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        started("proxy event loop", () -> vertx.close().await(30, TimeUnit.SECONDS));
        ProducerProxy proxy =
                started("producer proxy", new ProducerProxy(vertx, ProxySettings.from(config), fence, registry));
        if (switchedWithProducerIds.isPresent()) {
            // The producers that crossed keep writing under the target ids they were given at the switch.
            String mapping = switchedWithProducerIds.get();
            if (!mapping.isBlank()) {
                try {
                    proxy.installMapping(ProducerIdMapping.parse(mapping));
                } catch (IllegalArgumentException e) {
                    throw new StartupException(
                            "the cutover record's producer-id mapping cannot be read (" + e.getMessage()
                                    + "); producers that crossed the switch would write under colliding ids",
                            e);
                }
            }
            proxy.router().switchTo(Cluster.TARGET);
        }
        try {
            proxy.start();
        } catch (ProxyStartException e) {
            throw new StartupException(e.getMessage(), e);
        }
        proxyBootstrap = proxy.bootstrapAddress();
        return proxy;
    }

    /** host:port clients use as bootstrap through the producer proxy; empty when it does not run. */
    String proxyBootstrap() {
        return proxyBootstrap;
    }

    /** A gate's cluster reads, started unless the gate is disabled (then its input stays empty). */
    private <T> InputProvider<T> clusterReads(
            StraitConfig config, String gate, String part, Supplier<ClusterReader<T>> reader) {
        if (!RegisteredGates.enabled(config, gate)) {
            return Optional::empty;
        }
        ClusterReader<T> started = started(part, reader.get());
        started.start();
        return started.input();
    }

    private synchronized <T extends AutoCloseable> T started(String name, T part) {
        if (closed) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", name, ErrorText.describe(e));
            }
            throw new StartupException("stopped while starting", null);
        }
        running.push(new NamedPart(name, part));
        return part;
    }

    /** host:port the HTTP API listens on. */
    String httpAddress() {
        return httpAddress;
    }

    synchronized List<String> partNames() {
        List<String> names = new ArrayList<>();
        running.descendingIterator().forEachRemaining(p -> names.add(p.name()));
        return names;
    }

    /** Closes every part started, in reverse order; any thread, also while another is starting it. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        while (!running.isEmpty()) {
            NamedPart part = running.pop();
            try {
                part.part().close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warn("stopping {} failed: {}", part.name(), ErrorText.describe(e));
            }
        }
    }
}

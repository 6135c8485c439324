package strait.deploy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.config.StraitConfig;
import strait.gates.GateInputSources;
import strait.gates.GatesServer;
import strait.gates.GatesSettings;
import strait.gates.HttpStartException;
import strait.offsets.GroupOffsetsWorker;
import strait.offsets.OffsetMapStore;
import strait.offsets.OffsetMaps;
import strait.proxy.ProduceHook;
import strait.proxy.ProducerProxy;
import strait.proxy.ProxySettings;
import strait.proxy.ProxyStartException;
import strait.replicator.Replicator;

/**
 * The composition root: builds every part of the sidecar from one {@link StraitConfig}, starts them in dependency
 * order and closes them in reverse. A part that fails to start closes the ones already running.
 */
final class Sidecar implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sidecar.class);

    private final Deque<NamedPart> running = new ArrayDeque<>();
    private String httpAddress = "";
    private String proxyBootstrap = "";

    private record NamedPart(String name, AutoCloseable part) {}

    private Sidecar() {}

    static Sidecar start(StraitConfig config) {
        Sidecar sidecar = new Sidecar();
        try {
            sidecar.startParts(config);
        } catch (RuntimeException e) {
            sidecar.close();
            throw e;
        }
        LOG.info("sidecar started: {}", sidecar.partNames());
        return sidecar;
    }

    private void startParts(StraitConfig config) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        started("metrics", registry::close);
        OffsetMaps maps = new OffsetMaps();
        OffsetMapStore store =
                started("offset store", OffsetMapStore.open(config.targetClientProps(), config.linkName()));
        Replicator replicator = started("replicator", new Replicator(config, maps, store, registry));
        replicator.start();
        GroupOffsetsWorker groups = started("group sync", new GroupOffsetsWorker(config, maps, registry));
        groups.start();
        if (config.getBoolean(StraitConfig.PROXY_ENABLED)) {
            startProxy(config, registry);
        }
        GateInputSources inputs = GateInputsAdapter.of(replicator, groups, maps);
        GatesServer http =
                started("http", new GatesServer(GatesSettings.from(config), inputs, registry, Clock.systemUTC()));
        try {
            http.start();
        } catch (HttpStartException e) {
            throw new StartupException(e.getMessage(), e);
        }
        httpAddress = http.address();
    }

    /**
     * The producer proxy on an event loop of its own (one thread), so a busy HTTP API never delays a produce request.
     * Every request is forwarded until the cutover (issue 15) hands in its fence.
     */
    private void startProxy(StraitConfig config, PrometheusMeterRegistry registry) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        started("proxy event loop", () -> vertx.close().await(30, TimeUnit.SECONDS));
        ProducerProxy proxy = started(
                "producer proxy", new ProducerProxy(vertx, ProxySettings.from(config), ProduceHook.FORWARD, registry));
        try {
            proxy.start();
        } catch (ProxyStartException e) {
            throw new StartupException(e.getMessage(), e);
        }
        proxyBootstrap = proxy.bootstrapAddress();
    }

    /** host:port clients use as bootstrap through the producer proxy; empty when it does not run. */
    String proxyBootstrap() {
        return proxyBootstrap;
    }

    private <T extends AutoCloseable> T started(String name, T part) {
        running.push(new NamedPart(name, part));
        return part;
    }

    /** host:port the HTTP API listens on. */
    String httpAddress() {
        return httpAddress;
    }

    List<String> partNames() {
        List<String> names = new ArrayList<>();
        running.descendingIterator().forEachRemaining(p -> names.add(p.name()));
        return names;
    }

    @Override
    public void close() {
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

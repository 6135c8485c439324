package strait.proxy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.HashMap;
import java.util.Map;
import strait.config.StraitConfig;
import strait.embedded.FreePorts;

/** Starts proxies for tests: each on a free port range of its own, on one Vert.x instance per test class. */
final class TestProxies implements AutoCloseable {

    static final int BROKER_PORTS = 4;

    final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** Settings of a proxy over these two clusters; {@code extra} adds or overrides keys. */
    static ProxySettings settings(String source, String target, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("source.bootstrap.servers", source);
        props.put("target.bootstrap.servers", target);
        props.put("topics", ".*");
        props.put("proxy.enabled", "true");
        props.put("proxy.listen.port", String.valueOf(FreePorts.range(BROKER_PORTS + 1)));
        props.put("proxy.broker.ports", String.valueOf(BROKER_PORTS));
        props.putAll(extra);
        return ProxySettings.from(StraitConfig.parse(props));
    }

    /** A started proxy; the caller closes it. */
    ProducerProxy start(ProxySettings settings, ProduceHook hook) {
        ProducerProxy proxy = new ProducerProxy(vertx, settings, hook, registry);
        try {
            proxy.start();
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}

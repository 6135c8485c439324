package strait.proxy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import strait.config.StraitConfig;

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
        props.put("proxy.listen.port", String.valueOf(freePortRange(BROKER_PORTS + 1)));
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

    /**
     * The first of {@code count} consecutive ports that are free on 127.0.0.1 right now, below Linux's ephemeral
     * range (32768-60999), so no client connection's local port takes one between this check and the bind.
     */
    static int freePortRange(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no free range of " + count + " ports found");
    }

    private static boolean allFree(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}

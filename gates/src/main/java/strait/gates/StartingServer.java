package strait.gates;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API while the sidecar cannot start yet (a cluster unreachable, docs/decisions/0012): the same endpoints on
 * the same {@code http.host:http.port}, answering from one reason only. {@code GET /health} is 200
 * {@code {"status": "STARTING", "reason"}} (the process serves and retries: no reason to restart it);
 * {@code GET /gates/ready}, {@code POST /gates/evaluate} and every gate are 503, failing with {@code starting: <reason>};
 * every other endpoint is 503 {@code {"error": "starting: <reason>"}}, POST ones after the bearer token as usual. The
 * composition root closes it right before the {@link GatesServer} binds the port.
 *
 * <p>Threads: {@link #start} and {@link #close} are called by the composition root's thread and block until done;
 * requests are served on the event loop, reading {@code reason} (any thread may change what it returns).
 */
public final class StartingServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StartingServer.class);
    private static final long TIMEOUT_S = 30;
    private static final long MAX_BODY_BYTES = 4_096;

    private final Vertx vertx;
    private final GatesSettings settings;
    private final Supplier<String> reason;
    private final Clock clock;
    private final List<String> gateNames;
    private HttpServer server;

    /**
     * @param vertx the instance the real API will run on too, owned by the caller
     * @param reason why the sidecar is not started yet, one line naming what it waits for; never a secret
     */
    public StartingServer(Vertx vertx, GatesSettings settings, Supplier<String> reason, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.clock = Objects.requireNonNull(clock, "clock");
        // Every gate the sidecar will serve, the registered ones included.
        this.gateNames = strait.config.StraitConfig.GATE_NAMES;
    }

    /**
     * Listens; returns once the port is bound.
     *
     * @return the bound port
     * @throws HttpStartException naming host:port when it cannot listen, or the token file when unreadable
     */
    public synchronized int start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        BearerAuth auth = new BearerAuth(GatesServer.readToken(settings.authTokenFile()));
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setReuseAddress(true);
        Future<HttpServer> listening = vertx.createHttpServer(options)
                .requestHandler(PercentEscapes.guard(router(auth)))
                .invalidRequestHandler(new InvalidRequests())
                .listen();
        try {
            server = listening.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpStartException("interrupted while listening on " + hostPort(settings.port()), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new HttpStartException(
                    "cannot listen on " + hostPort(settings.port()) + ": "
                            + (e instanceof TimeoutException
                                    ? "timed out"
                                    : String.valueOf(e.getCause().getMessage()))
                            + " (set http.host/http.port)",
                    e);
        }
        LOG.info(
                "HTTP API listening on http://{} while the sidecar starts (/health: STARTING, /gates/ready: 503)",
                hostPort(server.actualPort()));
        return server.actualPort();
    }

    /** The bound port; valid after {@link #start}. */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.actualPort();
    }

    private Router router(BearerAuth auth) {
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> JsonResponses.send(ctx, 200, health()));
        router.get("/gates/ready")
                .handler(ctx -> JsonResponses.send(ctx, 503, evaluation().toJson()));
        router.get("/gates/history").handler(this::starting);
        router.post("/gates/evaluate")
                .handler(auth)
                .handler(ctx -> JsonResponses.send(ctx, 503, evaluation().toJson()));
        router.get("/gates/:name").handler(this::gate);
        router.get("/status").handler(this::starting);
        router.get("/offsets/groups").handler(this::starting);
        router.get("/offsets/groups/:group").handler(this::starting);
        router.get("/offsets/translate").handler(this::starting);
        router.get("/metrics").handler(this::starting);
        router.get("/cutover").handler(this::starting);
        router.post("/cutover")
                .handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                .handler(auth)
                .handler(this::starting);
        router.post("/cutover/rollback").handler(auth).handler(this::starting);
        router.get("/report").handler(auth).handler(this::starting);
        router.get("/").handler(this::starting);
        router.route().failureHandler(ctx -> {
            if (!ApiRoutes.clientFailure(ctx)) {
                JsonResponses.error(ctx, 500, "internal error");
            }
        });
        router.errorHandler(400, ctx -> JsonResponses.error(ctx, 400, "bad request"));
        router.errorHandler(401, ctx -> JsonResponses.error(ctx, 401, "unauthorized"));
        router.errorHandler(404, ctx -> JsonResponses.error(ctx, 404, "no such endpoint"));
        router.errorHandler(405, ApiRoutes::methodNotAllowed);
        router.errorHandler(413, ctx -> JsonResponses.error(ctx, 413, "request body too large"));
        router.errorHandler(500, ctx -> JsonResponses.error(ctx, 500, "internal error"));
        return router;
    }

    private JsonObject health() {
        return new JsonObject().put("status", "STARTING").put("reason", reason.get());
    }

    private Evaluation evaluation() {
        String why = "starting: " + reason.get();
        return new Evaluation(
                clock.instant(),
                gateNames.stream()
                        .map(name -> GateResult.fail(name, why, new JsonObject()))
                        .toList());
    }

    private void gate(RoutingContext ctx) {
        Optional<GateResult> gate = evaluation().gate(ctx.pathParam("name"));
        if (gate.isEmpty()) {
            JsonResponses.error(ctx, 404, "unknown gate; gates are " + String.join(", ", gateNames));
            return;
        }
        JsonResponses.send(ctx, 503, gate.get().toJson());
    }

    private void starting(RoutingContext ctx) {
        JsonResponses.error(ctx, 503, "starting: " + reason.get());
    }

    private String hostPort(int port) {
        String host = settings.host();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Stops listening (the port is free when this returns); the Vert.x instance stays the caller's. Idempotent. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        int port = server.actualPort();
        try {
            server.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
            awaitPortFree(port);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("stopping the start-up HTTP API did not finish cleanly: {}", e.toString());
        }
        server = null;
    }

    /**
     * Vert.x completes {@code close()} a moment before the kernel lets the port be bound again (about 3 % of closes
     * here, for a few milliseconds), and the real API binds the same port right after: wait, bounded, until a plain
     * bind succeeds.
     */
    private void awaitPortFree(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (true) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(settings.host(), port));
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    LOG.warn(
                            "port {} still bound 2 s after the start-up HTTP API closed: {}",
                            hostPort(port),
                            e.getMessage());
                    return;
                }
                Thread.sleep(5);
            }
        }
    }
}

package strait.gates;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP control plane: health, cutover gates, status, offsets, metrics and the dashboard (docs/contract.md).
 *
 * <p>Threads: one event loop of the {@link Vertx} instance the composition root hands in serves requests from the latest published state only; one worker
 * ({@code strait-gates-eval}) reads the inputs, evaluates the gates every {@link GatesSettings#evaluationInterval},
 * writes the evidence file, and scrapes metrics. {@link #start} and {@link #close} are called by the composition
 * root's thread and block until done.
 */
public final class GatesServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatesServer.class);
    private static final long START_TIMEOUT_S = 30;

    private final GatesSettings settings;
    private final GateInputSources sources;
    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final CutoverApi cutover;
    private final List<Gate> registeredGates;
    private final AtomicReference<Future<Served>> inFlight = new AtomicReference<>();
    private volatile boolean closing;
    private long timerId = -1;
    private GateMetrics metrics;
    private final Vertx vertx;
    private WorkerExecutor worker;
    private GateRunner runner;
    private HttpServer server;

    /** A server without a cutover ({@code /cutover} answers that there is no producer proxy). */
    public GatesServer(
            Vertx vertx,
            GatesSettings settings,
            GateInputSources sources,
            PrometheusMeterRegistry registry,
            Clock clock) {
        this(vertx, settings, sources, registry, clock, CutoverApi.NONE);
    }

    /**
     * A server that also drives the link's cutover ({@code /cutover}).
     *
     * @param vertx the instance the API runs on, owned (and closed) by the caller; {@link #vertxOptions()} are the
     *     ones it is meant to be built with
     */
    public GatesServer(
            Vertx vertx,
            GatesSettings settings,
            GateInputSources sources,
            PrometheusMeterRegistry registry,
            Clock clock,
            CutoverApi cutover) {
        this(vertx, settings, sources, registry, clock, cutover, List.of());
    }

    /**
     * A server that also evaluates {@code registeredGates} after the standard ones (each reading its own input,
     * registered in {@code sources} with {@link GateInputSources#with}).
     */
    public GatesServer(
            Vertx vertx,
            GatesSettings settings,
            GateInputSources sources,
            PrometheusMeterRegistry registry,
            Clock clock,
            CutoverApi cutover,
            List<Gate> registeredGates) {
        this.registeredGates = List.copyOf(registeredGates);
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.cutover = Objects.requireNonNull(cutover, "cutover");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sources = Objects.requireNonNull(sources, "sources");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Evaluates the gates once, then listens; returns once the port is bound.
     *
     * @return the bound port (the chosen one when {@code http.port} is 0)
     * @throws HttpStartException naming host:port when it cannot listen, or the token file when unreadable
     */
    public synchronized int start() {
        if (server != null || closing) {
            throw new IllegalStateException(closing ? "closed; a GatesServer does not restart" : "already started");
        }
        Optional<byte[]> token = readToken(settings.authTokenFile());
        byte[] dashboard = readDashboard();
        try {
            worker = vertx.createSharedWorkerExecutor("strait-gates-eval", 1);
            GateEvaluator evaluator = GateEvaluator.standard(settings.thresholds())
                    .with(registeredGates)
                    .disabling(settings.disabled());
            metrics = new GateMetrics(registry, evaluator.gateNames());
            runner = new GateRunner(sources, evaluator, new EvidenceLog(settings.evidenceFile()), metrics, clock);
            await(evaluate(), "first gate evaluation");
            // The worker is stuck only once an evaluation is older than the stale limit plus one interval.
            long evaluationStaleMs = settings.thresholds().staleMs()
                    + settings.evaluationInterval().toMillis();
            ApiRoutes routes = new ApiRoutes(
                    runner,
                    sources.translator(),
                    registry,
                    worker,
                    this::evaluate,
                    clock,
                    evaluationStaleMs,
                    Buffer.buffer(dashboard),
                    cutover,
                    settings.reportedConfig());
            HttpServerOptions options = new HttpServerOptions()
                    .setHost(settings.host())
                    .setPort(settings.port())
                    .setReuseAddress(true);
            server = await(
                    vertx.createHttpServer(options)
                            .requestHandler(PercentEscapes.guard(routes.router(vertx, new BearerAuth(token))))
                            .invalidRequestHandler(new InvalidRequests())
                            .listen(),
                    "listening on " + hostPort(settings.port()));
            timerId = vertx.setPeriodic(settings.evaluationInterval().toMillis(), id -> evaluateOnTimer());
        } catch (RuntimeException e) {
            closeParts();
            throw e;
        }
        LOG.info("HTTP API listening on http://{}", address());
        return server.actualPort();
    }

    /** The bound port; valid after {@link #start}. */
    public int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.actualPort();
    }

    /** {@code host:port} the API listens on; valid after {@link #start}. */
    public String address() {
        return hostPort(port());
    }

    /** The latest evaluation, as {@code /gates/ready} serves it. Any thread. */
    public Evaluation latestEvaluation() {
        if (runner == null || runner.latest() == null) {
            throw new IllegalStateException("not started");
        }
        return runner.latest().evaluation();
    }

    /**
     * What the API's Vert.x instance is built with: one event loop, one worker thread, and no file cache (the API
     * serves no files from disk; the dashboard is read from the jar once).
     */
    public static VertxOptions vertxOptions() {
        return new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setFileSystemOptions(
                        new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false));
    }

    /** Stops listening, the timer and the evaluation worker; the Vert.x instance stays the caller's. */
    @Override
    public synchronized void close() {
        closeParts();
        server = null;
    }

    private void closeParts() {
        if (closing) {
            return;
        }
        closing = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        if (metrics != null) {
            metrics.close();
        }
        try {
            if (server != null) {
                server.close().toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
            }
            if (worker != null) {
                worker.close().toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("stopping the HTTP API did not finish cleanly: {}", e.toString());
        }
    }

    /**
     * Runs one evaluation on the worker, or joins the one already running, so neither the timer nor a burst of
     * {@code POST /gates/evaluate} can queue work behind a slow provider.
     */
    private Future<Served> evaluate() {
        Future<Served> running = inFlight.get();
        if (running != null && !running.isComplete()) {
            return running;
        }
        Future<Served> next = worker.executeBlocking(runner::evaluateOnce, true);
        inFlight.set(next);
        return next;
    }

    /** Timer path. Event loop. */
    private void evaluateOnTimer() {
        if (closing) {
            return;
        }
        try {
            evaluate().onFailure(e -> LOG.warn("gate evaluation failed: {}", e.toString()));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the worker is gone
        }
    }

    private <T> T await(Future<T> future, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpStartException("interrupted while " + what, e);
        } catch (TimeoutException e) {
            throw new HttpStartException("timed out " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.BindException
                    || String.valueOf(cause.getMessage()).contains("in use")) {
                throw new HttpStartException(
                        "cannot listen on " + hostPort(settings.port())
                                + ": address already in use (set http.host/http.port)",
                        cause);
            }
            throw new HttpStartException("failed " + what + ": " + cause, cause);
        }
    }

    private String hostPort(int port) {
        String host = settings.host();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The token of {@code http.auth.token.file}, stripped; never put in a message. */
    static Optional<byte[]> readToken(Optional<Path> file) {
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            String token = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new HttpStartException("http.auth.token.file " + file.get() + " is empty", null);
            }
            return Optional.of(token.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HttpStartException(
                    "cannot read http.auth.token.file " + file.get() + ": "
                            + e.getClass().getSimpleName(),
                    e);
        }
    }

    private static byte[] readDashboard() {
        try (InputStream in = GatesServer.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html missing from the gates jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dashboard.html", e);
        }
    }
}

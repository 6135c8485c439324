package strait.gates;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.gates.report.AuditReport;
import strait.gates.report.SignedDocument;

/**
 * The HTTP API of docs/contract.md on one {@link Router}. Every handler runs on the event loop and only reads the latest
 * {@link Served} state (or, for {@code /metrics} and a forced evaluation, hands work to a worker); none blocks.
 * Every error, unknown paths and failures included, is {@code {"error": "..."}} with no stack trace.
 */
final class ApiRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
    static final long FORCED_EVALUATION_TIMEOUT_S = 5;
    private static final long MAX_BODY_BYTES = 4_096;
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final GateRunner runner;
    private final Translator translator;
    private final PrometheusMeterRegistry registry;
    private final WorkerExecutor worker;
    private final Supplier<Future<Served>> forceEvaluation;
    private final Clock clock;
    private final long staleMs;
    private final Buffer dashboard;
    private final CutoverApi cutover;
    private final java.util.Map<String, String> reportedConfig;

    ApiRoutes(
            GateRunner runner,
            Translator translator,
            PrometheusMeterRegistry registry,
            WorkerExecutor worker,
            Supplier<Future<Served>> forceEvaluation,
            Clock clock,
            long staleMs,
            Buffer dashboard,
            CutoverApi cutover,
            java.util.Map<String, String> reportedConfig) {
        this.runner = runner;
        this.translator = translator;
        this.registry = registry;
        this.worker = worker;
        this.forceEvaluation = forceEvaluation;
        this.clock = clock;
        this.staleMs = staleMs;
        this.dashboard = dashboard;
        this.cutover = cutover;
        this.reportedConfig = reportedConfig;
    }

    Router router(Vertx vertx, BearerAuth auth) {
        Router router = Router.router(vertx);
        router.get("/health").handler(ctx -> JsonResponses.send(ctx, 200, new JsonObject().put("status", "UP")));
        router.get("/gates/ready").handler(this::ready);
        router.get("/gates/history").handler(this::history);
        router.post("/gates/evaluate").handler(auth).handler(this::evaluate);
        router.get("/gates/:name").handler(this::gate);
        router.get("/status")
                .handler(ctx -> JsonResponses.send(ctx, 200, current().statusBody()));
        router.get("/offsets/groups")
                .handler(ctx -> JsonResponses.send(ctx, 200, current().groupsJson()));
        router.get("/offsets/groups/:group").handler(this::group);
        router.get("/offsets/translate").handler(this::translate);
        router.get("/metrics").handler(this::metrics);
        router.get("/cutover").handler(ctx -> JsonResponses.send(ctx, 200, cutover.view()));
        router.post("/cutover")
                .handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
                .handler(auth)
                .handler(this::startCutover);
        router.post("/cutover/rollback").handler(auth).handler(this::rollback);
        router.get("/report").handler(auth).handler(this::report);
        router.get("/")
                .handler(ctx -> ctx.response()
                        .putHeader("Content-Type", "text/html; charset=utf-8")
                        .putHeader("Cache-Control", "no-store")
                        .putHeader("X-Content-Type-Options", "nosniff")
                        .putHeader("X-Frame-Options", "DENY")
                        .end(dashboard));
        router.route().failureHandler(this::failure);
        router.errorHandler(400, ctx -> JsonResponses.error(ctx, 400, "bad request"));
        router.errorHandler(401, ctx -> JsonResponses.error(ctx, 401, "unauthorized"));
        router.errorHandler(404, ctx -> JsonResponses.error(ctx, 404, "no such endpoint"));
        router.errorHandler(405, ApiRoutes::methodNotAllowed);
        router.errorHandler(413, ctx -> JsonResponses.error(ctx, 413, "request body too large"));
        router.errorHandler(500, this::internalError);
        return router;
    }

    /** The latest state; when the worker has not evaluated within {@code staleMs}, a failing one instead. */
    private Served current() {
        Served served = runner.latest();
        long ageMs = Duration.between(served.evaluation().evaluatedAt(), clock.instant())
                .toMillis();
        if (ageMs <= staleMs) {
            return served;
        }
        String reason = "stale: gates not evaluated for " + ageMs + " ms (limit " + staleMs + " ms)";
        JsonObject evidence = new JsonObject()
                .put("lastEvaluatedAt", served.evaluation().evaluatedAt().toString());
        return Served.of(
                new Evaluation(
                        clock.instant(),
                        served.evaluation().gates().stream()
                                .map(g -> g.disabled() ? g : GateResult.fail(g.name(), reason, evidence))
                                .toList()),
                served.inputs());
    }

    private void ready(RoutingContext ctx) {
        Served served = current();
        JsonResponses.send(ctx, served.evaluation().ready() ? 200 : 503, served.readyBody());
    }

    private void gate(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Served served = current();
        Buffer body = served.gateBodies().get(name);
        if (body == null) {
            JsonResponses.error(ctx, 404, "unknown gate; gates are " + String.join(", ", runner.gateNames()));
            return;
        }
        JsonResponses.send(ctx, served.evaluation().gate(name).orElseThrow().passed() ? 200 : 503, body);
    }

    private void history(RoutingContext ctx) {
        JsonArray transitions = new JsonArray();
        runner.history().forEach(t -> transitions.add(t.toJson()));
        JsonResponses.send(ctx, 200, new JsonObject().put("transitions", transitions));
    }

    private void evaluate(RoutingContext ctx) {
        forceEvaluation
                .get()
                .timeout(FORCED_EVALUATION_TIMEOUT_S, TimeUnit.SECONDS)
                .onComplete(result -> {
                    if (result.succeeded()) {
                        JsonResponses.send(
                                ctx,
                                result.result().evaluation().ready() ? 200 : 503,
                                result.result().readyBody());
                    } else if (result.cause() instanceof java.util.concurrent.TimeoutException) {
                        JsonResponses.error(
                                ctx,
                                503,
                                "evaluation did not finish within " + FORCED_EVALUATION_TIMEOUT_S
                                        + " s; an input provider is slow");
                    } else {
                        ctx.fail(500, result.cause());
                    }
                });
    }

    private void group(RoutingContext ctx) {
        String group = ctx.pathParam("group");
        current()
                .groupJson(group)
                .ifPresentOrElse(
                        json -> JsonResponses.send(ctx, 200, json),
                        () -> JsonResponses.error(ctx, 404, "group not in scope or unknown"));
    }

    private void translate(RoutingContext ctx) {
        MultiMap query;
        try {
            query = ctx.queryParams();
        } catch (RuntimeException e) {
            JsonResponses.error(ctx, 400, "malformed query string");
            return;
        }
        TranslateRequest.Parsed parsed = TranslateRequest.parse(query);
        if (parsed instanceof TranslateRequest.Invalid invalid) {
            JsonResponses.error(ctx, 400, invalid.message());
            return;
        }
        TranslateRequest req = ((TranslateRequest.Valid) parsed).request();
        TranslationResult translation = translator.translate(req.topic(), req.partition(), req.offset());
        if (translation instanceof TranslationResult.Exact exact) {
            JsonResponses.send(
                    ctx,
                    200,
                    new JsonObject()
                            .put("topic", req.topic())
                            .put("partition", req.partition())
                            .put("sourceOffset", req.offset())
                            .put("targetOffset", exact.targetOffset()));
        } else if (translation instanceof TranslationResult.NotYetReplicated notYet) {
            JsonResponses.error(
                    ctx,
                    409,
                    "offset " + req.offset() + " not yet replicated (replicated position " + notYet.replicatedPosition()
                            + ")");
        } else if (translation instanceof TranslationResult.BelowRetention below) {
            JsonResponses.error(
                    ctx,
                    410,
                    "offset " + req.offset() + " is below retention (lowest translatable " + below.lowestTranslatable()
                            + ")");
        } else {
            JsonResponses.error(ctx, 404, "unknown topic or partition");
        }
    }

    /**
     * {@code POST /cutover}: starts a run when every gate passes (a dry run: every gate but {@code rollback}). The
     * body is empty or {@code {"dryRun": true}}; a refusal names the failing gates or what is running.
     */
    private void startCutover(RoutingContext ctx) {
        boolean dryRun;
        try {
            String body = ctx.body().asString();
            JsonObject json = body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
            Object flag = json.getValue("dryRun", false);
            if (!(flag instanceof Boolean b)) {
                JsonResponses.error(ctx, 400, "dryRun must be true or false");
                return;
            }
            dryRun = b;
        } catch (RuntimeException e) {
            JsonResponses.error(ctx, 400, "the body must be empty or JSON like {\"dryRun\": true}");
            return;
        }
        Served served = current();
        // A dry run is the rehearsal the rollback gate asks for: that gate holds back real runs only.
        java.util.List<GateResult> failing = served.evaluation().gates().stream()
                .filter(g -> !g.passed())
                .filter(g -> !(dryRun && g.name().equals(strait.gates.checks.RollbackGate.NAME)))
                .toList();
        if (!failing.isEmpty()) {
            JsonArray gates = new JsonArray();
            failing.forEach(
                    g -> gates.add(new JsonObject().put("gate", g.name()).put("reason", g.reason())));
            JsonResponses.send(
                    ctx,
                    409,
                    new JsonObject()
                            .put(
                                    "error",
                                    "not ready: failing gates "
                                            + String.join(
                                                    ", ",
                                                    failing.stream()
                                                            .map(GateResult::name)
                                                            .toList()))
                            .put("failingGates", gates));
            return;
        }
        reply(ctx, cutover.start(dryRun));
    }

    private void rollback(RoutingContext ctx) {
        reply(ctx, cutover.rollback());
    }

    private static void reply(RoutingContext ctx, CutoverApi.Reply reply) {
        if (reply.accepted()) {
            JsonResponses.send(ctx, 202, new JsonObject().put("accepted", true).put("message", reply.message()));
        } else {
            JsonResponses.error(ctx, 409, reply.message());
        }
    }

    /**
     * {@code GET /report[?format=json|markdown]}: the audit report, each kind carrying its SHA-256. Built on the
     * worker; behind the bearer token, as it shows the configuration (secrets masked).
     */
    private void report(RoutingContext ctx) {
        String format = ctx.queryParams().get("format");
        boolean markdown;
        if (format == null || format.equals("json")) {
            markdown = false;
        } else if (format.equals("markdown")) {
            markdown = true;
        } else {
            JsonResponses.error(ctx, 400, "format must be json or markdown");
            return;
        }
        Served served = current();
        JsonObject cutoverView = cutover.view();
        worker.executeBlocking(
                        () -> {
                            AuditReport report = new AuditReport(
                                    clock.instant(),
                                    served.evaluation(),
                                    runner.history(),
                                    cutoverView,
                                    reportedConfig);
                            return markdown
                                    ? SignedDocument.markdown(report.toMarkdown())
                                    : SignedDocument.json(report.toJson());
                        },
                        false)
                .onComplete(result -> {
                    if (result.succeeded()) {
                        ctx.response()
                                .putHeader(
                                        "Content-Type", markdown ? "text/markdown; charset=utf-8" : "application/json")
                                .putHeader("Cache-Control", "no-store")
                                .end(result.result());
                    } else {
                        ctx.fail(500, result.cause());
                    }
                });
    }

    private void metrics(RoutingContext ctx) {
        worker.executeBlocking(registry::scrape, false).onComplete(result -> {
            if (result.succeeded()) {
                ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(result.result());
            } else {
                ctx.fail(500, result.cause());
            }
        });
    }

    /** A failure inside a matched route: its 4xx status kept, anything else a plain 500. */
    private void failure(RoutingContext ctx) {
        if (!clientFailure(ctx)) {
            internalError(ctx);
        }
    }

    /** 405, naming the method refused (the path's methods are in the contract). */
    static void methodNotAllowed(RoutingContext ctx) {
        JsonResponses.error(ctx, 405, methodNotAllowedMessage(ctx));
    }

    private static String methodNotAllowedMessage(RoutingContext ctx) {
        return "method " + ctx.request().method().name() + " not allowed on this endpoint";
    }

    /** Answers a 4xx failure inside a matched route with its own status; false for anything else. */
    static boolean clientFailure(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status < 400 || status >= 500) {
            return false;
        }
        JsonResponses.error(
                ctx,
                status,
                switch (status) {
                    case 404 -> "no such endpoint";
                    case 405 -> methodNotAllowedMessage(ctx);
                    case 413 -> "request body too large";
                    default -> "bad request";
                });
        return true;
    }

    private void internalError(RoutingContext ctx) {
        if (ctx.failure() != null) {
            LOG.warn(
                    "request {} {} failed: {}",
                    ctx.request().method(),
                    ctx.request().path(),
                    ctx.failure().toString());
        }
        JsonResponses.error(ctx, 500, "internal error");
    }
}

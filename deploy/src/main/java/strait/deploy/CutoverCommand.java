package strait.deploy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code strait cutover --url URL [--dry-run] [--token-file FILE]}: what a cutover script would do with the HTTP API,
 * as one command. Starts a run ({@code POST /cutover}), prints every step as it ends, and exits 0 when the link
 * switched (or the dry run passed), 3 when the run aborted (the link still mirrors), 1 on any other failure (the
 * sidecar unreachable, the run refused: the failing gates are printed).
 */
final class CutoverCommand {

    private static final Duration POLL = Duration.ofMillis(200);
    /** How long the sidecar may be unreachable while a run is followed (a restart) before the command gives up. */
    private static final Duration UNREACHABLE_MAX = Duration.ofSeconds(60);
    /** No run takes longer: every step before the switch is bounded by cutover.fence.max.ms (600 s at most). */
    private static final Duration RUN_MAX = Duration.ofMinutes(15);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final Optional<String> token;
    private final PrintStream out;

    private CutoverCommand(String base, Optional<String> token, PrintStream out) {
        this.base = base;
        this.token = token;
        this.out = out;
    }

    static int run(String url, boolean dryRun, Path tokenFile, PrintStream out, PrintStream err) {
        Optional<String> token;
        try {
            token = TokenFile.read(tokenFile);
        } catch (CommandLine.UsageException e) {
            err.println("strait: " + e.getMessage());
            return Main.BAD_INPUT;
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        try {
            return new CutoverCommand(base, token, out).drive(dryRun, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("strait: interrupted; the run goes on in the sidecar (GET " + base + "/cutover)");
            return Main.FAILURE;
        }
    }

    private int drive(boolean dryRun, PrintStream err) throws InterruptedException {
        JsonObject before;
        try {
            before = view();
        } catch (IOException | DecodeException e) {
            err.println("strait: cannot reach " + base + "/cutover: " + describe(e));
            return Main.FAILURE;
        }
        if ("NONE".equals(before.getString("state"))) {
            err.println("strait: " + before.getString("reason", "this sidecar has no producer proxy"));
            return Main.FAILURE;
        }
        long run = before.getLong("run", 0L) + 1;
        HttpResponse<String> started;
        try {
            started = send(HttpRequest.newBuilder(URI.create(base + "/cutover"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            new JsonObject().put("dryRun", dryRun).encode()))
                    .header("Content-Type", "application/json"));
        } catch (IOException e) {
            err.println("strait: cannot reach " + base + "/cutover: " + describe(e));
            return Main.FAILURE;
        }
        if (started.statusCode() != 202) {
            err.println("strait: the sidecar refused the " + (dryRun ? "dry run" : "cutover") + " (HTTP "
                    + started.statusCode() + "): " + errorOf(started.body()));
            failingGates(started.body())
                    .forEach(g -> err.println("  gate " + ((JsonObject) g).getString("gate") + ": "
                            + ((JsonObject) g).getString("reason")));
            return Main.FAILURE;
        }
        out.println((dryRun ? "dry run " : "cutover ") + "run " + run + " started on " + base);
        return follow(run, err);
    }

    private int follow(long run, PrintStream err) throws InterruptedException {
        long deadline = System.nanoTime() + RUN_MAX.toNanos();
        long unreachableSince = -1;
        int printed = 0;
        while (System.nanoTime() < deadline) {
            JsonObject now;
            try {
                now = view();
                unreachableSince = -1;
            } catch (IOException | DecodeException e) {
                if (unreachableSince < 0) {
                    unreachableSince = System.nanoTime();
                    err.println("strait: " + base + " unreachable (" + describe(e) + "); waiting up to "
                            + UNREACHABLE_MAX.toSeconds() + " s");
                } else if (System.nanoTime() - unreachableSince > UNREACHABLE_MAX.toNanos()) {
                    err.println("strait: " + base + " unreachable for " + UNREACHABLE_MAX.toSeconds() + " s; "
                            + "the run's outcome is unknown (GET " + base + "/cutover)");
                    return Main.FAILURE;
                }
                Thread.sleep(POLL.toMillis());
                continue;
            }
            if (now.getLong("run", 0L) != run) {
                Thread.sleep(POLL.toMillis());
                continue;
            }
            JsonArray steps = now.getJsonArray("steps", new JsonArray());
            for (; printed < steps.size(); printed++) {
                JsonObject step = steps.getJsonObject(printed);
                if (!step.containsKey("endedAt")) {
                    break;
                }
                out.printf(
                        "  %-16s %-7s %6d ms  %s%n",
                        step.getString("state"),
                        step.getString("outcome"),
                        step.getLong("tookMs", 0L),
                        step.getString("detail"));
            }
            String result = now.getString("result", "");
            if (!result.equals("running")) {
                out.println("result: " + result + " (state " + now.getString("state") + "): " + now.getString("reason")
                        + "; writes held " + now.getLong("heldMs", 0L) + " ms");
                return result.equals("switched") || result.equals("dry-run-passed") ? Main.OK : Main.ABORTED;
            }
            Thread.sleep(POLL.toMillis());
        }
        err.println("strait: run " + run + " did not end within " + RUN_MAX.toMinutes() + " minutes (GET " + base
                + "/cutover)");
        return Main.FAILURE;
    }

    private JsonObject view() throws IOException, InterruptedException {
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(URI.create(base + "/cutover")).GET());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET /cutover answered HTTP " + response.statusCode() + ": " + errorOf(response.body()));
        }
        return new JsonObject(response.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String errorOf(String body) {
        try {
            return new JsonObject(body).getString("error", body);
        } catch (DecodeException e) {
            return body;
        }
    }

    private static JsonArray failingGates(String body) {
        try {
            return new JsonObject(body).getJsonArray("failingGates", new JsonArray());
        } catch (DecodeException e) {
            return new JsonArray();
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}

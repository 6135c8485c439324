package strait.gates;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers and {@code {"error": "..."}} bodies the same way everywhere. Event loop. */
final class JsonResponses {

    static final String JSON = "application/json";

    private JsonResponses() {}

    /** Sends a shared, never-written buffer (Vert.x writes a slice of it, so it can serve many requests). */
    static void send(RoutingContext ctx, int status, Buffer body) {
        HttpServerResponse response = ctx.response();
        if (response.ended()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", JSON)
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(body);
    }

    static void send(RoutingContext ctx, int status, JsonObject body) {
        HttpServerResponse response = ctx.response();
        if (response.ended()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", JSON)
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(body.toBuffer());
    }

    static void error(RoutingContext ctx, int status, String message) {
        send(ctx, status, new JsonObject().put("error", message));
    }
}

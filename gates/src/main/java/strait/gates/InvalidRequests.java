package strait.gates;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Answers requests the HTTP decoder already refused (a request line over 4 KiB, headers over 8 KiB, garbage) with
 * the same {@code {"error": "..."}} bodies as the router, instead of Vert.x's empty default. Event loop.
 */
final class InvalidRequests implements Handler<HttpServerRequest> {

    @Override
    public void handle(HttpServerRequest request) {
        DecoderResult result = request.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        int status;
        String message;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            message = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            message = "request headers too large";
        } else if (cause instanceof TooLongFrameException) {
            status = 413;
            message = "request too large";
        } else {
            status = 400;
            message = "malformed request";
        }
        request.response()
                .setStatusCode(status)
                .putHeader("Content-Type", JsonResponses.JSON)
                .putHeader("Connection", "close")
                .end(new JsonObject().put("error", message).toBuffer())
                .onComplete(done -> request.connection().close());
    }
}

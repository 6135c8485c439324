package strait.gates;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Guards mutating (POST) endpoints with {@code Authorization: Bearer <token>} when {@code http.auth.token.file} is
 * set. The comparison is constant-time ({@link MessageDigest#isEqual}); the token is never logged or served.
 * Runs on the event loop; holds only the token bytes read at start-up.
 */
final class BearerAuth implements Handler<RoutingContext> {

    private static final String PREFIX = "Bearer ";
    private final Optional<byte[]> token;

    BearerAuth(Optional<byte[]> token) {
        this.token = token;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (token.isEmpty()) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        byte[] presented = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? header.substring(PREFIX.length()).strip().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (MessageDigest.isEqual(presented, token.get())) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        JsonResponses.error(ctx, 401, header == null ? "missing bearer token" : "invalid bearer token");
    }
}

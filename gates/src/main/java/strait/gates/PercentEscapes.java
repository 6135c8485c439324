package strait.gates;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Refuses, before routing, a request whose path or query has a broken percent-escape ({@code %ZZ}, a lone {@code %})
 * or one that decodes to bytes that are not UTF-8 ({@code %FF}): 400 with what is wrong, instead of a path that
 * matches nothing (404) or a parameter quietly decoded to U+FFFD. Event loop; stateless.
 */
final class PercentEscapes {

    private PercentEscapes() {}

    /** {@code next}, behind the check. */
    static Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
        return request -> {
            String uri = request.uri();
            int query = uri.indexOf('?');
            String path = query < 0 ? uri : uri.substring(0, query);
            if (!wellFormed(path)) {
                refuse(request, "malformed path: a broken or non-UTF-8 percent-escape");
            } else if (query >= 0 && !wellFormed(uri.substring(query + 1))) {
                refuse(request, "malformed query string: a broken or non-UTF-8 percent-escape");
            } else {
                next.handle(request);
            }
        };
    }

    /** Whether every {@code %} starts two hex digits and the decoded bytes are UTF-8. */
    static boolean wellFormed(String raw) {
        if (raw.indexOf('%') < 0) {
            return true;
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 3);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return false;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return false;
                }
                bytes.put((byte) (hi * 16 + lo));
                i += 2;
            } else {
                bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        bytes.flip();
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static void refuse(HttpServerRequest request, String message) {
        request.response()
                .setStatusCode(400)
                .putHeader("Content-Type", JsonResponses.JSON)
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(new JsonObject().put("error", message).toBuffer());
    }
}

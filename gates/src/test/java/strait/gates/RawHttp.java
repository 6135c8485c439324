package strait.gates;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 client over a plain socket, so tests can send exactly the bytes they mean (malformed escapes,
 * empty segments) that {@code java.net.URI} would refuse to build.
 */
final class RawHttp {

    record Response(int status, String headers, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    Response get(String target) {
        return send("GET", target, "");
    }

    Response post(String target, String extraHeaders) {
        return send("POST", target, extraHeaders + "Content-Length: 0\r\n");
    }

    Response send(String method, String target, String extraHeaders) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + extraHeaders
                            + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String head = text.substring(0, split);
            int status = Integer.parseInt(head.substring(9, 12));
            Response r = new Response(status, head, text.substring(split + 4));
            if ("chunked".equalsIgnoreCase(r.header("Transfer-Encoding"))) {
                return new Response(status, head, dechunk(r.body()));
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + target + " failed", e);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).strip(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }
}

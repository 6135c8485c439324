package strait.gates.report;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A report document carrying the SHA-256 of its own content, so a change record can cite it and anyone can check
 * that what they hold is what was cited.
 *
 * <ul>
 *   <li>JSON: {@code {"sha256": HEX, "report": CONTENT}}; HEX is the SHA-256 of CONTENT's bytes exactly as they
 *       appear in the document (UTF-8), from the first character after {@code "report":} to the one before the
 *       final {@code }}.
 *   <li>Markdown: CONTENT, then one last line {@code SHA-256 of the lines above: HEX}; HEX is the SHA-256 of every
 *       byte before that line ({@code head -n -1 report.md | sha256sum}).
 * </ul>
 */
public final class SignedDocument {

    static final String JSON_PREFIX = "{\"sha256\":\"";
    static final String JSON_MIDDLE = "\",\"report\":";
    public static final String MARKDOWN_TRAILER = "SHA-256 of the lines above: ";

    private SignedDocument() {}

    public static String json(JsonObject content) {
        String text = content.encode();
        return JSON_PREFIX + sha256(text) + JSON_MIDDLE + text + "}";
    }

    public static String markdown(String content) {
        String text = content.endsWith("\n") ? content : content + "\n";
        return text + MARKDOWN_TRAILER + sha256(text) + "\n";
    }

    /**
     * Whether a document of either kind carries the right SHA-256 of its content.
     *
     * @return false for a document that is neither, or whose content was changed
     */
    public static boolean verifies(String document) {
        if (document.startsWith(JSON_PREFIX)) {
            int middle = document.indexOf(JSON_MIDDLE);
            if (middle < 0 || !document.endsWith("}")) {
                return false;
            }
            String hash = document.substring(JSON_PREFIX.length(), middle);
            String content = document.substring(middle + JSON_MIDDLE.length(), document.length() - 1);
            return hash.equals(sha256(content));
        }
        String body = document.endsWith("\n") ? document.substring(0, document.length() - 1) : document;
        int last = body.lastIndexOf('\n');
        if (last < 0 || !body.startsWith(MARKDOWN_TRAILER, last + 1)) {
            return false;
        }
        String content = body.substring(0, last + 1);
        return body.substring(last + 1 + MARKDOWN_TRAILER.length()).equals(sha256(content));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

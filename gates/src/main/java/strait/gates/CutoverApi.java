package strait.gates;

import io.vertx.core.json.JsonObject;

/**
 * The cutover as the HTTP API drives it ({@code GET/POST /cutover}, {@code POST /cutover/rollback}), implemented by the
 * composition root over the cutover module, so the gates module depends on no other.
 *
 * <p>Called on the HTTP event loop: every method answers at once and never blocks.
 */
public interface CutoverApi {

    /** A sidecar without the producer proxy: there is nothing to cut over. */
    CutoverApi NONE = new CutoverApi() {
        @Override
        public JsonObject view() {
            return new JsonObject()
                    .put("state", "NONE")
                    .put("reason", "no producer proxy in this link (proxy.enabled=false): producers move by hand");
        }

        @Override
        public Reply start(boolean dryRun) {
            return new Reply(false, "a cutover needs the producer proxy (proxy.enabled=true)");
        }

        @Override
        public Reply rollback() {
            return new Reply(false, "no cutover is running: this link has no producer proxy");
        }
    };

    /** The answer to a start or a rollback: accepted (202), or refused (409) with why. */
    record Reply(boolean accepted, String message) {}

    /** What {@code GET /cutover} serves: state, since, the steps with their numbers, what is held. */
    JsonObject view();

    Reply start(boolean dryRun);

    Reply rollback();
}

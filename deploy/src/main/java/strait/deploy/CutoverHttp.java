package strait.deploy;

import io.vertx.core.json.JsonObject;
import strait.cutover.Cutover;
import strait.gates.CutoverApi;

/** {@code /cutover} over the link's {@link Cutover}. Event loop: every call answers at once. */
final class CutoverHttp implements CutoverApi {

    private final Cutover cutover;

    CutoverHttp(Cutover cutover) {
        this.cutover = cutover;
    }

    @Override
    public JsonObject view() {
        return cutover.view();
    }

    @Override
    public Reply start(boolean dryRun) {
        Cutover.Answer answer = cutover.begin(dryRun);
        return new Reply(answer.accepted(), answer.message());
    }

    @Override
    public Reply rollback() {
        Cutover.Answer answer = cutover.rollback("rollback requested over HTTP (POST /cutover/rollback)");
        return new Reply(answer.accepted(), answer.message());
    }
}

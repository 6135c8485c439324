package strait.gates;

import io.vertx.core.Vertx;

/**
 * One Vert.x instance for every gates server a test starts, built as the composition root builds the API's (its
 * threads are daemons, so it needs no closing), since a {@link GatesServer} runs on the instance it is given.
 */
final class TestVertx {

    static final Vertx VERTX = Vertx.vertx(GatesServer.vertxOptions());

    private TestVertx() {}
}

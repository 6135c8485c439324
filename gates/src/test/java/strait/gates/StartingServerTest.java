package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API while the sidecar cannot start yet: every endpoint answers, with the one reason, over a real socket. */
class StartingServerTest {

    static final String TOKEN = "st4rting-token";
    static final String REASON =
            "cannot reach the target cluster at 127.0.0.1:1 (target.bootstrap.servers): connection refused";

    @TempDir
    Path dir;

    final AtomicReference<String> reason = new AtomicReference<>(REASON);
    StartingServer server;
    RawHttp http;

    @BeforeEach
    void start() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), TOKEN);
        GatesSettings settings = new GatesSettings(
                "127.0.0.1",
                0,
                Optional.of(token),
                new GateThresholds(1_000, 5_000, 30_000, false),
                Optional.empty(),
                Duration.ofMillis(50));
        server = new StartingServer(TestVertx.VERTX, settings, reason::get, Clock.systemUTC());
        http = new RawHttp(server.start());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void healthIs200StartingWithTheReason() {
        RawHttp.Response r = http.get("/health");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json())
                .isEqualTo(new JsonObject().put("status", "STARTING").put("reason", REASON));
    }

    @Test
    void readyAndEveryGateAre503FailingWithTheReason() {
        RawHttp.Response ready = http.get("/gates/ready");

        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().getBoolean("ready")).isFalse();
        assertThat(ready.json().getJsonArray("gates").stream().map(g -> ((JsonObject) g).getString("name")))
                .containsExactly(
                        "lag",
                        "resume-points",
                        "topic-parity",
                        "producer-proxy",
                        "capacity",
                        "rollback",
                        "data-parity",
                        "compatibility",
                        "inventory");
        assertThat(ready.json().getJsonArray("gates").stream().map(g -> ((JsonObject) g).getString("reason")))
                .allSatisfy(why -> assertThat(why).isEqualTo("starting: " + REASON));
        RawHttp.Response lag = http.get("/gates/lag");
        assertThat(lag.status()).isEqualTo(503);
        assertThat(lag.json().getString("reason")).isEqualTo("starting: " + REASON);
        assertThat(http.get("/gates/nope").status()).isEqualTo(404);
    }

    @Test
    void everyOtherEndpointIs503WithTheReasonAndPostsNeedTheTokenFirst() {
        for (String target : List.of(
                "/status",
                "/offsets/groups",
                "/offsets/groups/billing",
                "/offsets/translate?topic=a&partition=0&offset=0",
                "/metrics",
                "/cutover",
                "/gates/history",
                "/")) {
            RawHttp.Response r = http.get(target);
            assertThat(r.status()).as(target).isEqualTo(503);
            assertThat(r.json().getString("error")).as(target).isEqualTo("starting: " + REASON);
        }
        assertThat(http.post("/cutover", "").status()).isEqualTo(401);
        assertThat(http.post("/cutover", "Authorization: Bearer wrong\r\n").status())
                .isEqualTo(401);
        RawHttp.Response authorized = http.post("/cutover/rollback", "Authorization: Bearer " + TOKEN + "\r\n");
        assertThat(authorized.status()).isEqualTo(503);
        assertThat(authorized.body()).doesNotContain(TOKEN);
        assertThat(http.post("/gates/evaluate", "Authorization: Bearer " + TOKEN + "\r\n")
                        .status())
                .isEqualTo(503);
        assertThat(http.post("/health", "").status()).isEqualTo(405);
        assertThat(http.get("/nope").status()).isEqualTo(404);
    }

    @Test
    void badRequestsAreRefusedAsByTheRealApiNeverWithATraceOrTheToken() {
        List<RawHttp.Response> answers = List.of(
                expect(http.get("/health%FF"), 400, "malformed path"),
                expect(http.get("/offsets/translate?topic=%FF&partition=0&offset=0"), 400, "malformed query string"),
                expect(http.get("/gates/%"), 400, "malformed path"),
                expect(http.send("DELETE", "/gates/ready", ""), 405, "method DELETE not allowed"),
                expect(http.post("/status", "Authorization: Bearer " + TOKEN + "\r\n"), 405, "method POST"),
                expect(http.post("/gates/evaluate", "Authorization: Bearer wrong\r\n"), 401, "invalid bearer token"),
                expect(http.post("/cutover/rollback", ""), 401, "missing bearer token"),
                expect(http.get("/" + "x".repeat(10_000)), 414, "request line too long"),
                expect(http.send("GET", "/health", "X-Huge: " + "h".repeat(10_000) + "\r\n"), 431, "headers too large"),
                expect(http.get("/gates/" + "g".repeat(3_000)), 404, "unknown gate"));

        assertThat(answers)
                .allSatisfy(r -> assertThat(r.body())
                        .doesNotContain(TOKEN)
                        .doesNotContain("Exception")
                        .doesNotContain("at strait.")
                        .doesNotContain("\tat "));
    }

    private static RawHttp.Response expect(RawHttp.Response r, int status, String error) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().getString("error")).contains(error);
        return r;
    }

    @Test
    void theReasonServedIsTheLatest() {
        reason.set("both clusters are reachable; loading");

        assertThat(http.get("/health").json().getString("reason")).isEqualTo("both clusters are reachable; loading");
    }

    @Test
    void closingFreesThePortForTheRealApi() throws Exception {
        int port = server.port();
        server.close();

        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        }
    }
}

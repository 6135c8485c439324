package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import strait.config.StraitConfig;
import strait.embedded.SharedClusters;

/**
 * Bad HTTP input against a whole sidecar on real clusters, with a bearer token configured: every endpoint of
 * docs/contract.md with missing, negative, non-numeric, overflowing, unknown, huge and non-UTF-8 parameters, the wrong
 * method, and a missing or wrong token. Every case answers the contract's status with {@code {"error": "..."}} saying
 * what is wrong, never a stack trace and never the token. Requests go over a plain socket, so the test sends exactly
 * the bytes it means.
 */
class BadHttpInputIT {

    @RegisterExtension
    static final SharedClusters CLUSTERS = new SharedClusters();

    private static final String TOPIC = "badinput.orders";
    private static final String TOKEN = "b4d-input-t0ken-value";
    private static final String AUTH = "Authorization: Bearer " + TOKEN + "\r\n";
    private static final String WRONG_AUTH = "Authorization: Bearer not-the-token\r\n";

    @TempDir
    static Path dir;

    static Sidecar sidecar;
    static int port;

    /** One request and what the contract says it answers: the status and words the error must contain. */
    record Case(String method, String target, String headers, String body, int status, String error) {
        static Case get(String target, int status, String error) {
            return new Case("GET", target, "", "", status, error);
        }

        static Case post(String target, String headers, String body, int status, String error) {
            return new Case("POST", target, headers, body, status, error);
        }

        @Override
        public String toString() {
            String shown = target.length() > 80 ? target.substring(0, 80) + "...(" + target.length() + ")" : target;
            return method + " " + shown
                    + (headers.isEmpty() ? "" : " [" + headers.strip().replace(TOKEN, "TOKEN") + "]")
                    + (body.length() > 40 ? " body(" + body.length() + ")" : body.isEmpty() ? "" : " " + body)
                    + " -> " + status;
        }
    }

    @BeforeAll
    static void startSidecar() throws Exception {
        try (Admin admin = CLUSTERS.clusters().sourceAdmin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", CLUSTERS.sourceBootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        sidecar = Sidecar.start(StraitConfig.parse(Map.of(
                StraitConfig.SOURCE_BOOTSTRAP_SERVERS, CLUSTERS.sourceBootstrapServers(),
                StraitConfig.TARGET_BOOTSTRAP_SERVERS, CLUSTERS.targetBootstrapServers(),
                StraitConfig.TOPICS, "badinput\\..*",
                StraitConfig.HTTP_PORT, "0",
                StraitConfig.HTTP_AUTH_TOKEN_FILE, token.toString())));
        port = Integer.parseInt(
                sidecar.httpAddress().substring(sidecar.httpAddress().lastIndexOf(':') + 1));
        StraitProcess.awaitStatus(
                "http://" + sidecar.httpAddress() + "/offsets/translate?topic=" + TOPIC + "&partition=0&offset=10",
                200,
                Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopSidecar() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    static Stream<Case> cases() {
        String translate = "/offsets/translate?topic=" + TOPIC;
        List<Case> cases = new ArrayList<>(List.of(
                // GET /health
                Case.get("/health", 200, null),
                Case.post("/health", "", "", 405, "method POST not allowed"),
                new Case("DELETE", "/health", "", "", 405, "method DELETE not allowed"),
                Case.get("/health/x", 404, "no such endpoint"),
                Case.get("/health%FF", 400, "malformed"),
                // GET /gates/ready, /gates/{name}, /gates/history, POST /gates/evaluate
                Case.post("/gates/ready", AUTH, "", 405, "method POST not allowed"),
                new Case("PUT", "/gates/ready", "", "", 405, "method PUT not allowed"),
                Case.get(
                        "/gates/nope", 404, "unknown gate; gates are lag, resume-points, topic-parity, producer-proxy"),
                Case.get("/gates/" + "g".repeat(3_000), 404, "unknown gate"),
                Case.get("/gates/%FF", 400, "malformed"),
                Case.get("/gates/%E0%A4%A", 400, "malformed"),
                Case.get("/gates/%", 400, "malformed"),
                Case.post("/gates/history", AUTH, "", 405, "method POST not allowed"),
                Case.post("/gates/evaluate", "", "", 401, "missing bearer token"),
                Case.post("/gates/evaluate", WRONG_AUTH, "", 401, "invalid bearer token"),
                Case.post("/gates/evaluate", "Authorization: Basic " + TOKEN + "\r\n", "", 401, "invalid bearer token"),
                Case.post("/gates/evaluate", "Authorization: Bearer\r\n", "", 401, "invalid bearer token"),
                Case.post(
                        "/gates/evaluate",
                        "Authorization: Bearer " + "x".repeat(7_000) + "\r\n",
                        "",
                        401,
                        "invalid bearer token"),
                Case.get("/gates/evaluate", 404, "unknown gate"),
                // GET /status, /metrics, /
                Case.post("/status", AUTH, "", 405, "method POST not allowed"),
                Case.get("/status/x", 404, "no such endpoint"),
                Case.post("/metrics", AUTH, "", 405, "method POST not allowed"),
                Case.get("/metrics/x", 404, "no such endpoint"),
                Case.post("/", AUTH, "", 405, "method POST not allowed"),
                // GET /offsets/groups, /offsets/groups/{group}
                Case.get("/offsets/groups/no-such-group", 404, "group not in scope or unknown"),
                Case.get("/offsets/groups/" + "g".repeat(3_000), 404, "group not in scope or unknown"),
                Case.get("/offsets/groups/%FF", 400, "malformed"),
                Case.get("/offsets/groups/..%2F..%2Fetc%2Fpasswd", 404, "group not in scope or unknown"),
                Case.post("/offsets/groups", AUTH, "", 405, "method POST not allowed"),
                Case.get("/offsets", 404, "no such endpoint"),
                // GET /offsets/translate
                Case.get("/offsets/translate", 400, "topic, partition and offset are each required"),
                Case.get(translate, 400, "topic, partition and offset are each required"),
                Case.get(translate + "&partition=0", 400, "topic, partition and offset are each required"),
                Case.get("/offsets/translate?partition=0&offset=1", 400, "required"),
                Case.get(translate + "&partition=0&partition=0&offset=1", 400, "exactly once"),
                Case.get(translate + "&partition=-1&offset=1", 400, "partition must be an integer from 0"),
                Case.get(translate + "&partition=0&offset=-1", 400, "offset must be an integer from 0"),
                Case.get(translate + "&partition=zero&offset=1", 400, "partition must be an integer"),
                Case.get(translate + "&partition=0&offset=ten", 400, "offset must be an integer"),
                Case.get(translate + "&partition=0&offset=1.0", 400, "offset must be an integer"),
                Case.get(translate + "&partition=0&offset=", 400, "offset must be an integer"),
                Case.get(translate + "&partition=2147483648&offset=1", 400, "partition must be an integer from 0"),
                Case.get(translate + "&partition=0&offset=99999999999999999999", 400, "offset must be an integer"),
                Case.get(translate + "&partition=0&offset=9223372036854775808", 400, "offset must be an integer"),
                Case.get(translate + "&partition=2147483647&offset=1", 404, "unknown topic or partition"),
                Case.get(translate + "&partition=0&offset=11", 409, "not yet replicated"),
                Case.get(translate + "&partition=0&offset=9223372036854775807", 409, "not yet replicated"),
                Case.get("/offsets/translate?topic=badinput.nope&partition=0&offset=0", 404, "unknown topic"),
                Case.get("/offsets/translate?topic=bad%20name&partition=0&offset=0", 400, "topic must be"),
                Case.get("/offsets/translate?topic=" + "t".repeat(250) + "&partition=0&offset=0", 400, "topic must"),
                Case.get("/offsets/translate?topic=" + "t".repeat(10_000) + "&partition=0&offset=0", 414, "too long"),
                Case.get("/offsets/translate?topic=%FF&partition=0&offset=0", 400, "malformed query string"),
                Case.get(translate + "&partition=0&offset=%FF", 400, "malformed query string"),
                Case.get(translate + "&partition=0&offset=%ZZ", 400, "malformed query string"),
                Case.post(translate + "&partition=0&offset=0", AUTH, "", 405, "method POST not allowed"),
                // GET /cutover, POST /cutover, POST /cutover/rollback (no proxy configured)
                new Case("PUT", "/cutover", AUTH, "", 405, "method PUT not allowed"),
                Case.post("/cutover", "", "", 401, "missing bearer token"),
                Case.post("/cutover", WRONG_AUTH, "{\"dryRun\": true}", 401, "invalid bearer token"),
                Case.post("/cutover", AUTH, "nope", 400, "the body must be empty or JSON"),
                Case.post("/cutover", AUTH, "{\"dryRun\": \"yes\"}", 400, "dryRun must be true or false"),
                Case.post("/cutover", AUTH, "[1, 2]", 400, "the body must be empty or JSON"),
                Case.post("/cutover", AUTH, "{\"dryRun\": true" + " ".repeat(10_000) + "}", 413, "too large"),
                Case.post("/cutover", AUTH, "\u00ff\u00fe", 400, "the body must be empty or JSON"),
                Case.post("/cutover", "", "{\"dryRun\": true" + " ".repeat(10_000) + "}", 413, "too large"),
                Case.post("/cutover/rollback", "", "", 401, "missing bearer token"),
                Case.post("/cutover/rollback", WRONG_AUTH, "", 401, "invalid bearer token"),
                Case.get("/cutover/rollback", 405, "method GET not allowed"),
                Case.post("/cutover/rollback", AUTH, "", 409, "no cutover is running"),
                // Anything else
                Case.get("/nope", 404, "no such endpoint"),
                Case.get("/%FF", 400, "malformed"),
                Case.get("/" + "x".repeat(10_000), 414, "request line too long"),
                new Case("GET", "/gates/ready", "X-Huge: " + "h".repeat(10_000) + "\r\n", "", 431, "headers too large"),
                new Case("BREW", "/health", "", "", 405, "method")));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyBadRequestAnswersTheContractsStatusWithAClearErrorAndNoStackTraceOrToken(Case c) {
        Answer answer = send(c);

        assertThat(answer.status()).as("%s: %s", c, answer.body()).isEqualTo(c.status());
        assertThat(answer.body())
                .as(c.toString())
                .doesNotContain(TOKEN)
                .doesNotContain("Exception")
                .doesNotContain("at strait.")
                .doesNotContain("\tat ");
        if (c.error() != null) {
            assertThat(answer.contentType()).as(c.toString()).isEqualTo("application/json");
            JsonObject json = new JsonObject(answer.body());
            assertThat(json.fieldNames()).as(c.toString()).contains("error");
            assertThat(json.getString("error")).as(c.toString()).contains(c.error());
        }
    }

    @Test
    void theRightTokenIsAcceptedWhereTheWrongOneIsRefused() {
        Answer evaluated = send(Case.post("/gates/evaluate", AUTH, "", 0, null));

        assertThat(evaluated.status()).isIn(200, 503);
        assertThat(new JsonObject(evaluated.body()).getJsonArray("gates")).isNotEmpty();
        Answer refused = send(Case.post("/cutover", AUTH, "", 0, null));
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).doesNotContain(TOKEN);
    }

    record Answer(int status, String contentType, String body) {}

    private static Answer send(Case c) {
        byte[] body = c.body().getBytes(StandardCharsets.ISO_8859_1);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String head = c.method() + " " + c.target() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + c.headers()
                    + (c.method().equals("POST") || body.length > 0 ? "Content-Length: " + body.length + "\r\n" : "")
                    + "Connection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                in.transferTo(all);
            } catch (IOException e) {
                // the server may close once it answered a request it refused before its body was read
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            assertThat(split).as("an HTTP answer to %s: %s", c, text).isPositive();
            String headers = text.substring(0, split);
            String contentType = null;
            boolean chunked = false;
            for (String line : headers.split("\r\n")) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring(line.indexOf(':') + 1).strip();
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            String content = text.substring(split + 4);
            return new Answer(
                    Integer.parseInt(headers.substring(9, 12)), contentType, chunked ? dechunk(content) : content);
        } catch (IOException e) {
            throw new IllegalStateException(c + " failed", e);
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

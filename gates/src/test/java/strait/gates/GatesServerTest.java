package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import strait.embedded.Eventually;

/** The real server on a free port, fed by inputs the test sets; every request goes over a socket. */
class GatesServerTest {

    static final String TOKEN = "s3cret-token-value";

    @TempDir
    Path dir;

    final Clock clock = Clock.systemUTC();
    final FakeInputs inputs = new FakeInputs(clock).allPassing();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatesServer server;
    RawHttp http;
    Path evidence;

    @BeforeEach
    void start() throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        evidence = dir.resolve("evidence.jsonl");
        inputs.translator.set((topic, partition, offset) -> {
            if (!topic.equals("orders") || partition != 0) {
                return new TranslationResult.UnknownPartition();
            }
            if (offset < 10) {
                return new TranslationResult.BelowRetention(10);
            }
            return offset <= 100
                    ? new TranslationResult.Exact(offset + 7)
                    : new TranslationResult.NotYetReplicated(100);
        });
        server = new GatesServer(
                TestVertx.VERTX, settings(0, Optional.of(tokenFile)), inputs.sources(), registry, clock);
        http = new RawHttp(server.start());
    }

    GatesSettings settings(int port, Optional<Path> tokenFile) {
        return new GatesSettings(
                "127.0.0.1",
                port,
                tokenFile,
                new GateThresholds(1_000, 5_000, 30_000, false),
                Optional.of(evidence),
                Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static void eventually(String what, Eventually.Condition condition) {
        Eventually.eventually(what, Duration.ofSeconds(10), condition);
    }

    @Test
    void health_is_up() {
        RawHttp.Response r = http.get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).isEqualTo(new JsonObject().put("status", "UP"));
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void ready_is_200_with_every_gate_when_all_pass() {
        RawHttp.Response r = http.get("/gates/ready");
        assertThat(r.status()).isEqualTo(200);
        JsonObject body = r.json();
        assertThat(body.getBoolean("ready")).isTrue();
        assertThat(Instant.parse(body.getString("evaluatedAt")))
                .isBefore(Instant.now().plusSeconds(1));
        JsonArray gates = body.getJsonArray("gates");
        assertThat(gates.stream().map(g -> ((JsonObject) g).getString("name")))
                .containsExactly("lag", "resume-points", "topic-parity", "producer-proxy");
        gates.forEach(g -> assertThat(((JsonObject) g).fieldNames())
                .containsExactlyInAnyOrder("name", "passed", "reason", "evidence"));
    }

    @Test
    void one_evaluation_serves_identical_bodies_to_every_request() {
        server.close();
        server = new GatesServer(
                TestVertx.VERTX,
                settings(0, Optional.empty()).withEvaluationInterval(Duration.ofHours(1)),
                inputs.sources(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock);
        http = new RawHttp(server.start());
        String first = http.get("/gates/ready").body();
        for (int i = 0; i < 20; i++) {
            assertThat(http.get("/gates/ready").body()).isEqualTo(first);
        }
        assertThat(new JsonObject(first).getBoolean("ready")).isTrue();
    }

    @Test
    void ready_turns_503_naming_the_lagging_partition_and_back_to_200_when_caught_up() {
        inputs.lag(PartitionLag.running("orders", 0, 50_000, 100, 100, 49_900, 12_000));
        eventually("lag to fail", () -> http.get("/gates/ready").status() == 503);
        RawHttp.Response lag = http.get("/gates/lag");
        assertThat(lag.status()).isEqualTo(503);
        assertThat(lag.json().getBoolean("passed")).isFalse();
        assertThat(lag.json().getString("reason")).contains("orders-0");
        assertThat(http.get("/gates/topic-parity").status()).isEqualTo(200);

        inputs.lag(PartitionLag.running("orders", 0, 50_000, 50_000, 50_007, 0, 0));
        eventually("lag to pass", () -> http.get("/gates/ready").status() == 200);

        JsonArray transitions = http.get("/gates/history").json().getJsonArray("transitions");
        List<String> lagFlips = transitions.stream()
                .map(t -> (JsonObject) t)
                .filter(t -> t.getString("gate").equals("lag"))
                .map(t -> t.getString("from") + ">" + t.getString("to"))
                .toList();
        assertThat(lagFlips).containsExactly("null>pass", "pass>fail", "fail>pass");
        eventually("evidence file written", () -> lines(evidence) >= 6);
        assertThat(registry.scrape()).contains("strait_gate_transitions_total{gate=\"lag\"} 2.0");
    }

    @Test
    void stale_inputs_fail_their_gate_with_that_reason() {
        inputs.resumePoints.set(
                Optional.of(Refreshed.of(List.of(), Instant.now().minusSeconds(31))));
        RawHttp.Response forced = http.post("/gates/evaluate", "Authorization: Bearer " + TOKEN + "\r\n");
        assertThat(forced.status()).isEqualTo(503);
        RawHttp.Response gate = http.get("/gates/resume-points");
        assertThat(gate.status()).isEqualTo(503);
        assertThat(gate.json().getString("reason")).startsWith("stale: group offsets data last refreshed");
    }

    @Test
    void status_lists_every_partition_with_the_contract_fields() {
        JsonObject row = http.get("/status").json().getJsonArray("partitions").getJsonObject(0);
        assertThat(row.fieldNames())
                .contains("topic", "partition", "sourceEnd", "replicated", "targetEnd", "lagRecords", "lagMs");
        assertThat(row.getString("topic")).isEqualTo("orders");
    }

    @Test
    void group_shows_its_resume_points_and_unknown_groups_are_404() {
        inputs.resumePoints(
                ResumePoint.exact("billing", "orders", 0, 90, 97),
                ResumePoint.invalid("audit", "orders", 0, 200, "offset 200 not yet replicated"));
        eventually("groups refreshed", () -> http.get("/offsets/groups/audit").status() == 200);
        JsonObject billing = http.get("/offsets/groups/billing").json();
        assertThat(billing.getString("group")).isEqualTo("billing");
        assertThat(billing.getJsonArray("partitions").getJsonObject(0).getMap())
                .containsEntry("targetOffset", 97)
                .containsEntry("valid", true);
        JsonObject audit = http.get("/offsets/groups/audit")
                .json()
                .getJsonArray("partitions")
                .getJsonObject(0);
        assertThat(audit.getValue("targetOffset")).isNull();
        assertThat(audit.getString("reason")).contains("not yet replicated");
        assertThat(http.get("/offsets/groups").json().getJsonArray("groups")).hasSize(2);
        assertError(http.get("/offsets/groups/nobody"), 404);
        assertError(http.get("/offsets/groups/%ZZ"), 400);
    }

    @Test
    void translate_answers_exact_not_yet_replicated_unknown_and_below_retention() {
        RawHttp.Response exact = http.get("/offsets/translate?topic=orders&partition=0&offset=100");
        assertThat(exact.status()).isEqualTo(200);
        assertThat(exact.json())
                .isEqualTo(new JsonObject()
                        .put("topic", "orders")
                        .put("partition", 0)
                        .put("sourceOffset", 100L)
                        .put("targetOffset", 107L));
        assertError(http.get("/offsets/translate?topic=orders&partition=0&offset=101"), 409);
        assertError(http.get("/offsets/translate?topic=orders&partition=1&offset=1"), 404);
        assertError(http.get("/offsets/translate?topic=nope&partition=0&offset=1"), 404);
        assertError(http.get("/offsets/translate?topic=orders&partition=0&offset=3"), 410);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/offsets/translate",
                "/offsets/translate?partition=0&offset=1",
                "/offsets/translate?topic=orders&offset=1",
                "/offsets/translate?topic=orders&partition=0",
                "/offsets/translate?topic=&partition=x",
                "/offsets/translate?topic=orders&partition=-1&offset=1",
                "/offsets/translate?topic=orders&partition=0&offset=-1",
                "/offsets/translate?topic=orders&partition=abc&offset=1",
                "/offsets/translate?topic=orders&partition=0&offset=1e3",
                "/offsets/translate?topic=orders&partition=0&offset=0x10",
                "/offsets/translate?topic=orders&partition=1.5&offset=1",
                "/offsets/translate?topic=orders&partition=2147483648&offset=1",
                "/offsets/translate?topic=orders&partition=0&offset=9223372036854775808",
                "/offsets/translate?topic=orders&partition=0&offset=99999999999999999999999999999",
                "/offsets/translate?topic=orders&partition=0&offset=%2B5",
                "/offsets/translate?topic=orders&partition=0&offset=",
                "/offsets/translate?topic=orders&partition=0&partition=1&offset=1",
                "/offsets/translate?topic=bad%20name&partition=0&offset=1",
                "/offsets/translate?topic=orders&partition=0&offset=%ZZ",
                "/offsets/translate?topic=%ZZ&partition=0&offset=1",
            })
    void bad_translate_parameters_are_a_clean_400(String target) {
        assertError(http.get(target), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/gates/", "/gates/nope", "/nope", "/status/x", "/gates/ready/x", "/offsets", "/metrics/x"})
    void unknown_paths_and_gates_are_a_clean_404(String target) {
        assertError(http.get(target), 404);
    }

    @Test
    void malformed_paths_are_a_clean_4xx() {
        for (String target : List.of("/%ZZ", "/gates/%ZZ", "/gates/%", "/offsets/groups/%E0%A4%A")) {
            RawHttp.Response r = http.get(target);
            assertThat(r.status()).as(target).isBetween(400, 499);
            assertThat(r.json().getString("error")).as(target).isNotBlank();
        }
    }

    @Test
    void oversized_and_garbled_requests_are_a_clean_4xx_json() {
        String hugeTopic = "t".repeat(10_000);
        assertError(http.get("/offsets/translate?topic=" + hugeTopic + "&partition=0&offset=1"), 414);
        assertError(http.send("GET", "/gates/ready", "X-Huge: " + "h".repeat(10_000) + "\r\n"), 431);
        assertError(http.send("GET", "/gates/ready", "Content-Length: nope\r\n"), 400);
        assertError(http.get("/offsets/translate?topic=" + "t".repeat(250) + "&partition=0&offset=1"), 400);
    }

    @Test
    void a_wrong_method_is_a_clean_405() {
        assertError(http.post("/health", ""), 405);
        assertError(http.send("DELETE", "/gates/ready", ""), 405);
    }

    @Test
    void forced_evaluation_needs_the_bearer_token() {
        assertError(http.post("/gates/evaluate", ""), 401);
        assertError(http.post("/gates/evaluate", "Authorization: Bearer wrong\r\n"), 401);
        assertError(http.post("/gates/evaluate", "Authorization: Basic " + TOKEN + "\r\n"), 401);
        RawHttp.Response ok = http.post("/gates/evaluate", "Authorization: Bearer " + TOKEN + "\r\n");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().getBoolean("ready")).isTrue();
        assertThat(ok.body()).doesNotContain(TOKEN);
    }

    @Test
    void without_a_token_file_post_needs_no_token() {
        try (GatesServer open = new GatesServer(
                TestVertx.VERTX,
                settings(0, Optional.empty()),
                inputs.sources(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock)) {
            RawHttp openHttp = new RawHttp(open.start());
            assertThat(openHttp.post("/gates/evaluate", "").status()).isEqualTo(200);
        }
    }

    @Test
    void a_disabled_gate_is_listed_as_disabled_not_evaluated_and_holds_nothing_back() {
        inputs.lag(PartitionLag.running("orders", 0, 9_000, 1_000, 1_000, 8_000, 7_000));
        try (GatesServer off = new GatesServer(
                TestVertx.VERTX,
                settings(0, Optional.empty())
                        .withEvaluationInterval(Duration.ofMillis(20))
                        .withDisabled(java.util.Set.of("lag")),
                inputs.sources(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock)) {
            RawHttp h = new RawHttp(off.start());
            RawHttp.Response ready = h.get("/gates/ready");
            assertThat(ready.status()).as(ready.body()).isEqualTo(200);
            JsonArray gates = ready.json().getJsonArray("gates");
            assertThat(gates.stream().map(g -> ((JsonObject) g).getString("name")))
                    .containsExactly("lag", "resume-points", "topic-parity", "producer-proxy");
            JsonObject lag = gates.getJsonObject(0);
            assertThat(lag.getBoolean("disabled")).isTrue();
            assertThat(lag.getString("reason")).contains("disabled by gates.disabled");
            assertThat(lag.getJsonObject("evidence")).isEqualTo(new JsonObject());
            assertThat(gates.getJsonObject(1).containsKey("disabled")).isFalse();
            RawHttp.Response gate = h.get("/gates/lag");
            assertThat(gate.status()).isEqualTo(200);
            assertThat(gate.json().getBoolean("disabled")).isTrue();
        }
        eventually(
                "the same inputs fail lag where it is on",
                () -> http.get("/gates/lag").status() == 503);
    }

    @Test
    void the_report_is_json_and_markdown_each_with_its_sha256_behind_the_token_and_never_shows_a_secret()
            throws Exception {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"strait\""
                + " password=\"jaas-Pw-42\";";
        strait.config.StraitConfig config = strait.config.StraitConfig.parse(java.util.Map.of(
                "source.bootstrap.servers", "src:9092",
                "target.bootstrap.servers", "tgt:9092",
                "topics", "orders",
                "source.security.protocol", "SASL_SSL",
                "source.sasl.mechanism", "PLAIN",
                "source.sasl.jaas.config", jaas,
                "target.ssl.truststore.password", "trust-Pw-43",
                "http.auth.token.file", dir.resolve("token").toString()));
        GatesSettings base = settings(0, Optional.of(dir.resolve("token")));
        try (GatesServer reporting = new GatesServer(
                TestVertx.VERTX,
                new GatesSettings(
                        base.host(),
                        0,
                        base.authTokenFile(),
                        base.thresholds(),
                        Optional.empty(),
                        Duration.ofMillis(50),
                        java.util.Set.of("topic-parity"),
                        config.masked()),
                inputs.sources(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock)) {
            RawHttp h = new RawHttp(reporting.start());
            assertError(h.get("/report"), 401);
            String auth = "Authorization: Bearer " + TOKEN + "\r\n";

            RawHttp.Response json = h.send("GET", "/report", auth);
            RawHttp.Response markdown = h.send("GET", "/report?format=markdown", auth);

            assertThat(json.status()).isEqualTo(200);
            assertThat(json.header("Content-Type")).isEqualTo("application/json");
            assertThat(strait.gates.report.SignedDocument.verifies(json.body())).isTrue();
            JsonObject report = json.json().getJsonObject("report");
            assertThat(report.getJsonArray("gates").size()).isEqualTo(4);
            assertThat(report.getJsonArray("transitions").size()).isGreaterThanOrEqualTo(4);
            assertThat(report.getJsonObject("cutover").getString("state")).isEqualTo("NONE");
            assertThat(report.getJsonObject("configuration").getString("source.sasl.jaas.config"))
                    .isEqualTo("[hidden]");
            assertThat(report.getJsonObject("configuration").getString("topics"))
                    .isEqualTo("orders");
            assertThat(markdown.status()).isEqualTo(200);
            assertThat(markdown.header("Content-Type")).startsWith("text/markdown");
            assertThat(strait.gates.report.SignedDocument.verifies(markdown.body()))
                    .isTrue();
            assertThat(markdown.body())
                    .contains("# Strait cutover report")
                    .contains("| topic-parity | disabled |")
                    .contains("| `source.sasl.jaas.config` | [hidden] |")
                    .contains("### lag");
            for (String body : List.of(json.body(), markdown.body())) {
                assertThat(body)
                        .doesNotContain("jaas-Pw-42")
                        .doesNotContain("trust-Pw-43")
                        .doesNotContain("PlainLoginModule")
                        .doesNotContain(TOKEN);
            }
            assertThat(strait.gates.report.SignedDocument.verifies(json.body().replace("orders", "ordres")))
                    .as("a changed report no longer matches its hash")
                    .isFalse();
            assertError(h.send("GET", "/report?format=pdf", auth), 400);
        }
    }

    @Test
    void a_gate_registered_by_another_module_is_served_and_judges_its_own_input() {
        InputKey<Integer> spare = new InputKey<>("spare brokers", Integer.class);
        java.util.concurrent.atomic.AtomicInteger brokers = new java.util.concurrent.atomic.AtomicInteger(0);
        Gate capacity = new Gate() {
            @Override
            public String name() {
                return "spare-brokers";
            }

            @Override
            public GateResult evaluate(GateInputs in, java.time.Instant now) {
                int value = in.input(spare).map(Refreshed::value).orElse(-1);
                io.vertx.core.json.JsonObject evidence = new io.vertx.core.json.JsonObject().put("spare", value);
                return value > 0
                        ? GateResult.pass(name(), value + " spare", evidence)
                        : GateResult.fail(name(), "no spare broker", evidence);
            }
        };
        try (GatesServer registered = new GatesServer(
                TestVertx.VERTX,
                settings(0, Optional.empty()).withEvaluationInterval(Duration.ofMillis(20)),
                inputs.sources().with(spare, () -> Optional.of(Refreshed.of(brokers.get(), clock.instant()))),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock,
                CutoverApi.NONE,
                List.of(capacity))) {
            RawHttp h = new RawHttp(registered.start());
            RawHttp.Response failing = h.get("/gates/spare-brokers");
            assertThat(failing.status()).isEqualTo(503);
            assertThat(failing.json().getString("reason")).isEqualTo("no spare broker");
            assertThat(h.get("/gates/ready").status()).isEqualTo(503);

            brokers.set(2);
            assertThat(h.post("/gates/evaluate", "").status()).isEqualTo(200);
            RawHttp.Response passing = h.get("/gates/spare-brokers");
            assertThat(passing.status()).isEqualTo(200);
            assertThat(passing.json().getJsonObject("evidence").getInteger("spare"))
                    .isEqualTo(2);
        }
    }

    @Test
    void metrics_are_prometheus_text_with_gate_states() {
        RawHttp.Response r = http.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.body())
                .contains("strait_gate_passed{gate=\"lag\"} 1.0")
                .contains("strait_gate_passed{gate=\"producer-proxy\"} 1.0")
                .contains("strait_gate_transitions_total{gate=\"lag\"}");
    }

    @Test
    void a_taken_port_fails_start_with_one_line_naming_host_and_port() {
        GatesServer second = new GatesServer(
                TestVertx.VERTX,
                settings(server.port(), Optional.empty()),
                inputs.sources(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock);
        assertThatThrownBy(second::start)
                .isInstanceOf(HttpStartException.class)
                .hasMessage("cannot listen on 127.0.0.1:" + server.port()
                        + ": address already in use (set http.host/http.port)");
        second.close();
    }

    @Test
    void an_unreadable_token_file_fails_start_naming_the_file_not_its_content() {
        Path missing = dir.resolve("missing-token");
        GatesServer bad = new GatesServer(
                TestVertx.VERTX,
                settings(0, Optional.of(missing)),
                inputs.sources(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock);
        assertThatThrownBy(bad::start)
                .isInstanceOf(HttpStartException.class)
                .hasMessageContaining("http.auth.token.file " + missing);
        bad.close();
    }

    @Test
    void a_provider_that_throws_fails_the_gates_instead_of_the_server() {
        GateInputSources throwing = new GateInputSources(
                        inputs.lag::get,
                        inputs.resumePoints::get,
                        () -> {
                            throw new IllegalStateException("boom");
                        },
                        Translator.none())
                .with(ProducerProxyGate.STATE, inputs.proxy::get);
        try (GatesServer s = new GatesServer(
                TestVertx.VERTX,
                settings(0, Optional.empty()),
                throwing,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                clock)) {
            RawHttp h = new RawHttp(s.start());
            RawHttp.Response r = h.get("/gates/ready");
            assertThat(r.status()).isEqualTo(503);
            assertThat(h.get("/gates/topic-parity").json().getString("reason")).isEqualTo("no topic parity data yet");
            assertThat(h.get("/gates/lag").status()).isEqualTo(200);
            assertThat(r.body()).doesNotContain("boom").doesNotContain("Exception");
        }
    }

    @Test
    void no_answer_ever_contains_the_token_or_a_stack_trace() {
        for (String target : List.of(
                "/",
                "/health",
                "/gates/ready",
                "/gates/history",
                "/status",
                "/metrics",
                "/offsets/groups",
                "/offsets/translate?topic=orders&partition=0&offset=5")) {
            String body = http.get(target).body();
            assertThat(body)
                    .as(target)
                    .doesNotContain(TOKEN)
                    .doesNotContain("\tat ")
                    .doesNotContain("Exception");
        }
    }

    private static void assertError(RawHttp.Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.json().fieldNames()).containsExactly("error");
        assertThat(r.json().getString("error")).isNotBlank();
    }

    private static long lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}

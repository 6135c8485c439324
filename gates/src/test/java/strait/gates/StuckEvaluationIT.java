package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** When the evaluation worker itself stops making progress, handlers must not keep serving its last good answer. */
class StuckEvaluationIT {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-21T12:00:00Z"));

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    @Test
    void a_stuck_evaluation_worker_turns_ready_into_503_once_older_than_the_stale_limit() throws Exception {
        ManualClock clock = new ManualClock();
        FakeInputs inputs = new FakeInputs(clock).allPassing();
        AtomicBoolean stick = new AtomicBoolean();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputProvider<List<PartitionLag>> lag = () -> {
            if (stick.get()) {
                stuck.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return inputs.lag.get();
        };
        GateInputSources sources = new GateInputSources(
                        lag, inputs.resumePoints::get, inputs.topicParity::get, Translator.none())
                .with(ProducerProxyGate.STATE, inputs.proxy::get);
        GatesSettings settings = new GatesSettings(
                "127.0.0.1",
                0,
                Optional.empty(),
                new GateThresholds(1_000, 5_000, 30_000, false),
                Optional.empty(),
                Duration.ofMillis(20));
        try (GatesServer server = new GatesServer(
                TestVertx.VERTX, settings, sources, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock)) {
            RawHttp http = new RawHttp(server.start());
            assertThat(http.get("/gates/ready").status()).isEqualTo(200);

            stick.set(true);
            assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
            clock.now.set(clock.now.get().plusSeconds(31));

            RawHttp.Response ready = http.get("/gates/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().getJsonArray("gates").getJsonObject(0).getString("reason"))
                    .startsWith("stale: gates not evaluated for 31");
            assertThat(http.get("/gates/lag").status()).isEqualTo(503);
            RawHttp.Response forced = http.post("/gates/evaluate", "");
            assertThat(forced.status()).isEqualTo(503);
            assertThat(forced.json().getString("error")).contains("did not finish within 5 s");
            release.countDown();
        }
    }
}

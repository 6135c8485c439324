package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the dashboard and the alert rules query is what the running jar serves: every series of
 * docs/HELPERS-CONTRACT.md appears on {@code GET /metrics} of the demo, which replicates, syncs groups and evaluates
 * gates. {@link MonitoringFilesTest} checks the files against the contract; this checks the contract against the jar.
 */
class MetricsScrapeIT {

    private static final Pattern SERIES = Pattern.compile("(?m)^(strait_[a-zA-Z0-9_:]*)[{ ]");

    static final Set<String> EVENT_ONLY = Set.of("strait_errors_total", "strait_group_sync_failures_total");

    @TempDir
    Path dir;

    @Test
    void theDemoServesEveryMetricTheDashboardAndAlertsUse() throws Exception {
        // Error counters are born with their first error (their labels name it), and a healthy demo has none; the
        // rules and the dashboard read them through rate()/increase(), where absent means zero.
        Set<String> expected = new TreeSet<>(DeployFiles.exportedSeries());
        expected.removeAll(EVENT_ONLY);
        try (StraitProcess demo = StraitProcess.start(dir, List.of("-Dstrait.demo.http.port=0"), "demo")) {
            String base = demo.awaitBaseUrl(Duration.ofSeconds(60));

            // Counters and histograms appear with their first event: poll until the demo's traffic produced all.
            Set<String> served = new TreeSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && !served.containsAll(expected)) {
                var response = StraitProcess.get(base + "/metrics");
                assertThat(response.statusCode()).isEqualTo(200);
                Matcher m = SERIES.matcher(response.body());
                while (m.find()) {
                    served.add(m.group(1));
                }
                demo.process().waitFor(500, java.util.concurrent.TimeUnit.MILLISECONDS);
            }

            assertThat(served).as("strait_* series on /metrics").containsAll(expected);
            assertThat(demo.terminate(Duration.ofSeconds(15))).isPresent();
        }
    }
}

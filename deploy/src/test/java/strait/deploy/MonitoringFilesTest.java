package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import strait.embedded.SystemPrograms;

/**
 * The Grafana dashboard and the Prometheus alert rules use only metrics Strait exports, and Prometheus' own
 * {@code promtool} accepts them.
 *
 * <p>{@code promtool} comes from the Debian package {@code prometheus}; {@code .ci/run} installs it. Without it the
 * promtool checks are skipped on a developer machine, and fail when {@code CI} or {@code STRAIT_REQUIRE_PROMTOOL} is
 * set, so CI cannot pass them silently.
 */
class MonitoringFilesTest {

    @TempDir
    Path dir;

    // ---- what the files refer to --------------------------------------------------------------------------------

    @Test
    void everyMetricTheAlertRulesUseIsOneStraitExports() {
        Map<String, String> rules = DeployFiles.ruleExpressions();
        assertThat(rules).as("alert rules").isNotEmpty();

        rules.forEach((alert, expr) -> assertThat(DeployFiles.metricNames(expr))
                .as("metrics of alert %s: %s", alert, expr)
                .isNotEmpty()
                .isSubsetOf(DeployFiles.exportedSeries()));
    }

    @Test
    void everyMetricTheDashboardUsesIsOneStraitExports() {
        Map<String, String> queries = DeployFiles.dashboardExpressions();
        assertThat(queries).as("dashboard queries").isNotEmpty();

        queries.forEach((where, expr) -> assertThat(DeployFiles.metricNames(expr))
                .as("metrics of %s: %s", where, expr)
                .isNotEmpty()
                .isSubsetOf(DeployFiles.exportedSeries()));
    }

    @Test
    void theDashboardShowsEveryMetricStraitExports() {
        Set<String> shown = new TreeSet<>();
        DeployFiles.dashboardExpressions()
                .values()
                .forEach(e -> DeployFiles.metricNames(e).stream()
                        .map(n -> n.replaceFirst("_(bucket|count|sum)$", ""))
                        .forEach(shown::add));

        assertThat(shown).containsAll(DeployFiles.exportedFamilies());
    }

    @Test
    void theAlertRulesCoverLagStoppedPartitionsAndFlappingGates() {
        Map<String, String> rules = DeployFiles.ruleExpressions();
        JsonNode lag = rule("StraitLagAboveWindow");

        assertThat(rules).containsKeys("StraitLagAboveWindow", "StraitPartitionStopped", "StraitGateFlapping");
        assertThat(lag.path("for").asText()).isEqualTo("5m");
        assertThat(DeployFiles.metricNames(lag.path("expr").asText())).contains("strait_lag_records", "strait_lag_ms");
        assertThat(DeployFiles.metricNames(rules.get("StraitPartitionStopped"))).contains("strait_partition_stopped");
        assertThat(DeployFiles.metricNames(rules.get("StraitGateFlapping"))).contains("strait_gate_transitions_total");
    }

    @Test
    void theLagAlertUsesTheDefaultLagWindowOfTheConfig() {
        String expr = rule("StraitLagAboveWindow").path("expr").asText();

        assertThat(expr)
                .contains("strait_lag_records) > " + strait.config.StraitConfig.GATES_LAG_MAX_RECORDS_DEFAULT)
                .contains("strait_lag_ms) > " + strait.config.StraitConfig.GATES_LAG_MAX_MS_DEFAULT);
    }

    @Test
    void metricNameExtractionFindsSelectedMetricsAndIgnoresFunctionsLabelsAndKeywords() {
        String expr = "histogram_quantile(0.99, sum by (topic, le) (rate(strait_x_bucket{topic=~\"a|b\", le!=\"1\"}"
                + "[$__rate_interval]))) > 3 and on (topic) max without (partition) (other_metric offset 5m)"
                + " or vector(0) unless absent(third:recorded)";

        assertThat(DeployFiles.metricNames(expr))
                .containsExactlyInAnyOrder("strait_x_bucket", "other_metric", "third:recorded");
    }

    @Test
    void theDashboardIsImportableAsIs() throws IOException {
        JsonNode dashboard = DeployFiles.JSON.readTree(DeployFiles.DASHBOARD.toFile());
        List<JsonNode> panels = DeployFiles.panelsOf(dashboard);
        Set<Integer> ids = new HashSet<>();

        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(dashboard.path("title").asText()).contains("Strait");
        assertThat(dashboard.at("/templating/list").findValuesAsText("name")).contains("datasource");
        for (JsonNode panel : panels) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("unique id of panel %s", panel.path("title"))
                    .isTrue();
            JsonNode pos = panel.path("gridPos");
            assertThat(pos.path("x").asInt() + pos.path("w").asInt())
                    .as("panel %s fits in 24 columns", panel.path("title"))
                    .isLessThanOrEqualTo(24);
            if (!"row".equals(panel.path("type").asText())) {
                assertThat(panel.path("targets").size())
                        .as("queries of %s", panel.path("title"))
                        .isPositive();
                assertThat(panel.at("/datasource/uid").asText())
                        .as("datasource of %s", panel.path("title"))
                        .isEqualTo("${datasource}");
            }
        }
    }

    // ---- promtool --------------------------------------------------------------------------------------------------

    @Test
    void promtoolAcceptsTheAlertRules() throws Exception {
        Result check = promtool("check", "rules", DeployFiles.ALERTS.toString());

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS");
    }

    @Test
    void theAlertRulesPassTheirPromtoolUnitTests() throws Exception {
        Result test = promtool("test", "rules", DeployFiles.ALERTS_TEST.toString());

        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyDashboardQueryIsValidPromql() throws Exception {
        // promtool parses expressions only inside rule files: one recording rule per dashboard query, with
        // Grafana's variables replaced by values Prometheus would receive.
        List<String> lines = new ArrayList<>(List.of("groups:", "  - name: dashboard", "    rules:"));
        int i = 0;
        for (String expr : DeployFiles.dashboardExpressions().values()) {
            String promql = expr.replace("$__rate_interval", "1m")
                    .replace("$instance", ".*")
                    .replace("$topic", ".*");
            lines.add("      - record: strait:dashboard:" + i++);
            lines.add("        expr: " + DeployFiles.JSON.writeValueAsString(promql));
        }
        Path rules = Files.write(dir.resolve("dashboard-rules.yml"), lines, StandardCharsets.UTF_8);

        Result check = promtool("check", "rules", rules.toString());

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + i + " rules found");
    }

    private static JsonNode rule(String alert) {
        for (JsonNode group :
                DeployFiles.yamlDocuments(DeployFiles.ALERTS).get(0).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (alert.equals(rule.path("alert").asText())) {
                    return rule;
                }
            }
        }
        throw new AssertionError("no alert " + alert);
    }

    private record Result(int exit, String output) {}

    private Result promtool(String... args) throws Exception {
        Path promtool = findPromtool();
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "promtool", ".txt");
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private static Path findPromtool() {
        return SystemPrograms.require("promtool", "prometheus");
    }
}

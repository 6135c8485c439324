package strait.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deployment files of {@code deploy/} read the way their tools read them: the Kubernetes manifests as YAML
 * documents, the systemd unit and its environment file as key=value lines, the Dockerfile's instructions, and the
 * metric names Strait exports (docs/HELPERS-CONTRACT.md). Tests run with the {@code deploy} module as working
 * directory.
 */
final class DeployFiles {

    static final Path DEPLOY = Path.of("").toAbsolutePath();
    static final Path CONFIG_DIR = DEPLOY.resolve("config");
    static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    static final Path SYSTEMD_UNIT = DEPLOY.resolve("systemd/strait.service");
    static final Path SYSTEMD_ENV = DEPLOY.resolve("systemd/strait.env");
    static final Path DOCKERFILE = DEPLOY.resolve("Dockerfile");
    static final Path DASHBOARD = DEPLOY.resolve("grafana/strait-dashboard.json");
    static final Path ALERTS = DEPLOY.resolve("prometheus/strait-alerts.yml");
    static final Path ALERTS_TEST = DEPLOY.resolve("prometheus/strait-alerts.test.yml");
    static final Path METRICS_CONTRACT =
            DEPLOY.resolve("../docs/HELPERS-CONTRACT.md").normalize();

    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();

    private DeployFiles() {}

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Kubernetes --------------------------------------------------------------------------------------------

    /** Every YAML document of a manifest file. */
    static List<JsonNode> yamlDocuments(Path file) {
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            YAML.readValues(parser, JsonNode.class).forEachRemaining(doc -> {
                if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
                    docs.add(doc);
                }
            });
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one object of {@code kind} among all manifests in deploy/kubernetes. */
    static JsonNode kubernetes(String kind) {
        List<JsonNode> found = new ArrayList<>();
        try (var files = Files.list(KUBERNETES)) {
            files.filter(f -> f.toString().endsWith(".yaml"))
                    .sorted()
                    .forEach(f -> yamlDocuments(f).stream()
                            .filter(doc -> kind.equals(doc.path("kind").asText()))
                            .forEach(found::add));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + " in " + KUBERNETES + ", found " + found.size());
        }
        return found.get(0);
    }

    /** The Deployment's only container. */
    static JsonNode container() {
        JsonNode containers = kubernetes("Deployment").at("/spec/template/spec/containers");
        if (containers.size() != 1) {
            throw new AssertionError("the Deployment should run exactly one container, has " + containers.size());
        }
        return containers.get(0);
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The properties file held by the ConfigMap, under the key the Deployment mounts. */
    static String configMapProperties() {
        JsonNode data = kubernetes("ConfigMap").path("data");
        if (data.size() != 1) {
            throw new AssertionError("the ConfigMap should hold exactly one file, holds " + data.size());
        }
        return data.elements().next().asText();
    }

    /** A Secret's files: stringData as written, data base64-decoded. */
    static Map<String, String> secretFiles() {
        JsonNode secret = kubernetes("Secret");
        Map<String, String> files = new LinkedHashMap<>();
        secret.path("stringData")
                .fields()
                .forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
        secret.path("data")
                .fields()
                .forEachRemaining(e -> files.put(
                        e.getKey(),
                        new String(
                                java.util.Base64.getDecoder()
                                        .decode(e.getValue().asText()),
                                StandardCharsets.UTF_8)));
        return files;
    }

    static Properties properties(String text) {
        Properties props = new Properties();
        try {
            props.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }

    // ---- systemd -------------------------------------------------------------------------------------------------

    /** The values of one key of a unit file's section, in order (a key may repeat). */
    static List<String> unitValues(String section, String key) {
        List<String> values = new ArrayList<>();
        String current = "";
        for (String line : read(SYSTEMD_UNIT).lines().toList()) {
            String trimmed = line.strip();
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                current = trimmed.substring(1, trimmed.length() - 1);
            } else if (current.equals(section) && trimmed.startsWith(key + "=")) {
                values.add(trimmed.substring(key.length() + 1));
            }
        }
        return values;
    }

    static String unitValue(String section, String key) {
        List<String> values = unitValues(section, key);
        if (values.size() != 1) {
            throw new AssertionError("expected one " + key + "= in [" + section + "], found " + values);
        }
        return values.get(0);
    }

    /** Variables of a systemd EnvironmentFile: KEY=value, a value optionally in double quotes. */
    static Map<String, String> environmentFile(Path file) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : read(file).lines().toList()) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            String value = trimmed.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            env.put(trimmed.substring(0, eq).strip(), value);
        }
        return env;
    }

    /** Splits a command line on whitespace, as systemd does for an unquoted ExecStart and an unbraced $VAR. */
    static List<String> words(String commandLine) {
        return commandLine.isBlank() ? List.of() : List.of(commandLine.strip().split("\\s+"));
    }

    // ---- Dockerfile --------------------------------------------------------------------------------------------

    /** The arguments of every instruction named {@code instruction}, continuation lines joined, in order. */
    static List<String> dockerInstructions(String instruction) {
        String joined = read(DOCKERFILE).replaceAll("\\\\\\r?\\n", " ");
        List<String> found = new ArrayList<>();
        for (String line : joined.lines().toList()) {
            String trimmed = line.strip();
            if (trimmed.regionMatches(true, 0, instruction + " ", 0, instruction.length() + 1)) {
                found.add(trimmed.substring(instruction.length() + 1).strip());
            }
        }
        return found;
    }

    /** An exec-form (JSON array) instruction's words. */
    static List<String> dockerExecForm(String instruction) {
        List<String> found = dockerInstructions(instruction);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + instruction + " in the Dockerfile, found " + found);
        }
        try {
            return strings(JSON.readTree(found.get(0)));
        } catch (IOException e) {
            throw new AssertionError(instruction + " is not in exec form (a JSON array): " + found.get(0), e);
        }
    }

    // ---- metrics -----------------------------------------------------------------------------------------------

    private static final Pattern CONTRACT_ROW =
            Pattern.compile("^\\|\\s*`(strait_[a-z0-9_]+)`\\s*\\|([^|]*)\\|", Pattern.MULTILINE);

    /**
     * Every series name Strait exports, from the metrics table of docs/HELPERS-CONTRACT.md; a histogram contributes
     * its {@code _bucket}, {@code _count} and {@code _sum} series.
     */
    static Set<String> exportedSeries() {
        Set<String> names = new LinkedHashSet<>();
        Matcher row = CONTRACT_ROW.matcher(read(METRICS_CONTRACT));
        while (row.find()) {
            String name = row.group(1);
            if (row.group(2).contains("histogram")) {
                names.add(name + "_bucket");
                names.add(name + "_count");
                names.add(name + "_sum");
            } else {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            throw new AssertionError("no metrics table found in " + METRICS_CONTRACT);
        }
        return names;
    }

    /** The metric families of {@link #exportedSeries}: histogram series folded back to their base name. */
    static Set<String> exportedFamilies() {
        Set<String> families = new LinkedHashSet<>();
        exportedSeries().forEach(s -> families.add(s.replaceFirst("_(bucket|count|sum)$", "")));
        return families;
    }

    private static final Set<String> PROMQL_KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "offset",
            "inf",
            "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /**
     * The metric names a PromQL expression selects. Strings, label matchers, ranges and grouping clauses are removed
     * first; what remains is identifiers, and those not called as a function and not keywords are metric names.
     */
    static Set<String> metricNames(String promql) {
        String rest = promql.replaceAll("\"(\\\\.|[^\"\\\\])*\"", " ")
                .replaceAll("'(\\\\.|[^'\\\\])*'", " ")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\b\\d+(\\.\\d+)?([eE][+-]?\\d+|(ms|s|m|h|d|w|y)+)?\\b", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(rest);
        while (m.find()) {
            String word = m.group();
            boolean called = rest.substring(m.end()).stripLeading().startsWith("(");
            if (!called && !PROMQL_KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    /** Every PromQL expression of the alert rules file, by alert (or record) name. */
    static Map<String, String> ruleExpressions() {
        Map<String, String> exprs = new LinkedHashMap<>();
        yamlDocuments(ALERTS)
                .get(0)
                .path("groups")
                .forEach(group -> group.path("rules")
                        .forEach(rule -> exprs.put(
                                rule.has("alert")
                                        ? rule.path("alert").asText()
                                        : rule.path("record").asText(),
                                rule.path("expr").asText())));
        return exprs;
    }

    /** Every PromQL expression of the dashboard: panel targets and template-variable queries, by where it is. */
    static Map<String, String> dashboardExpressions() {
        JsonNode dashboard;
        try {
            dashboard = JSON.readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> exprs = new LinkedHashMap<>();
        for (JsonNode panel : panelsOf(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                exprs.put(
                        "panel '" + panel.path("title").asText() + "' "
                                + target.path("refId").asText(),
                        target.path("expr").asText());
            }
        }
        Pattern labelValues = Pattern.compile("label_values\\((.*),\\s*[a-zA-Z_]+\\)");
        for (JsonNode variable : dashboard.at("/templating/list")) {
            if ("query".equals(variable.path("type").asText())) {
                String query = variable.path("query").isObject()
                        ? variable.at("/query/query").asText()
                        : variable.path("query").asText();
                Matcher m = labelValues.matcher(query);
                exprs.put("variable $" + variable.path("name").asText(), m.matches() ? m.group(1) : query);
            }
        }
        return exprs;
    }

    /** Every panel, rows' nested panels included. */
    static List<JsonNode> panelsOf(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }
}

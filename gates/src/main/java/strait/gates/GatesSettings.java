package strait.gates;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import strait.config.StraitConfig;

/**
 * What the gates server needs from the configuration, read once so the server never touches {@link StraitConfig}.
 *
 * @param host {@code http.host}
 * @param port {@code http.port}; 0 picks a free port ({@link GatesServer#port()} tells which)
 * @param authTokenFile {@code http.auth.token.file}: when present, POST endpoints need its bearer token
 * @param evidenceFile {@code gates.evidence.file}: when present, gate transitions are appended there as JSON lines
 * @param evaluationInterval how often the gates are re-evaluated from fresh inputs
 * @param disabled {@code gates.disabled}: gates listed but not evaluated
 * @param reportedConfig the configuration as {@code GET /report} shows it, secrets already masked
 */
public record GatesSettings(
        String host,
        int port,
        Optional<Path> authTokenFile,
        GateThresholds thresholds,
        Optional<Path> evidenceFile,
        Duration evaluationInterval,
        Set<String> disabled,
        Map<String, String> reportedConfig) {

    public static final Duration EVALUATION_INTERVAL_DEFAULT = Duration.ofMillis(500);

    public GatesSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(authTokenFile, "authTokenFile");
        Objects.requireNonNull(thresholds, "thresholds");
        Objects.requireNonNull(evidenceFile, "evidenceFile");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (evaluationInterval.toMillis() < 1) {
            throw new IllegalArgumentException("evaluation interval must be at least 1 ms");
        }
        disabled = Set.copyOf(disabled);
        reportedConfig = Collections.unmodifiableMap(new TreeMap<>(reportedConfig));
    }

    /** Settings with every gate on. */
    public GatesSettings(
            String host,
            int port,
            Optional<Path> authTokenFile,
            GateThresholds thresholds,
            Optional<Path> evidenceFile,
            Duration evaluationInterval) {
        this(host, port, authTokenFile, thresholds, evidenceFile, evaluationInterval, Set.of(), Map.of());
    }

    public static GatesSettings from(StraitConfig config) {
        GateThresholds thresholds = new GateThresholds(
                config.getLong(StraitConfig.GATES_LAG_MAX_RECORDS),
                config.getLong(StraitConfig.GATES_LAG_MAX_MS),
                config.getLong(StraitConfig.GATES_STALE_MS),
                config.getBoolean(StraitConfig.PROXY_ENABLED));
        return new GatesSettings(
                config.getString(StraitConfig.HTTP_HOST),
                config.getInt(StraitConfig.HTTP_PORT),
                optionalPath(config.getString(StraitConfig.HTTP_AUTH_TOKEN_FILE)),
                thresholds,
                optionalPath(config.getString(StraitConfig.GATES_EVIDENCE_FILE)),
                evaluationInterval(thresholds.staleMs()),
                Set.copyOf(config.getList(StraitConfig.GATES_DISABLED)),
                config.masked());
    }

    /** Every 500 ms, or faster when gates.stale.ms is short, so an evaluation is never most of the stale limit. */
    static Duration evaluationInterval(long staleMs) {
        return Duration.ofMillis(Math.max(10, Math.min(EVALUATION_INTERVAL_DEFAULT.toMillis(), staleMs / 4)));
    }

    public GatesSettings withPort(int newPort) {
        return new GatesSettings(
                host, newPort, authTokenFile, thresholds, evidenceFile, evaluationInterval, disabled, reportedConfig);
    }

    public GatesSettings withEvaluationInterval(Duration interval) {
        return new GatesSettings(
                host, port, authTokenFile, thresholds, evidenceFile, interval, disabled, reportedConfig);
    }

    public GatesSettings withDisabled(Set<String> gates) {
        return new GatesSettings(
                host, port, authTokenFile, thresholds, evidenceFile, evaluationInterval, gates, reportedConfig);
    }

    private static Optional<Path> optionalPath(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
    }
}

package strait.gates;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import strait.config.StraitConfig;

class GatesSettingsTest {

    static Map<String, String> required() {
        Map<String, String> props = new HashMap<>();
        props.put("source.bootstrap.servers", "s:9092");
        props.put("target.bootstrap.servers", "t:9092");
        props.put("topics", ".*");
        return props;
    }

    @Test
    void takes_the_http_and_gates_keys_from_the_config() {
        Map<String, String> props = required();
        props.put("http.host", "0.0.0.0");
        props.put("http.port", "9999");
        props.put("http.auth.token.file", "/etc/strait/token");
        props.put("gates.lag.max.records", "7");
        props.put("gates.lag.max.ms", "8");
        props.put("gates.stale.ms", "9000");
        props.put("gates.evidence.file", "/var/log/strait/gates.jsonl");
        props.put("proxy.enabled", "true");

        GatesSettings settings = GatesSettings.from(StraitConfig.parse(props));

        assertThat(settings.host()).isEqualTo("0.0.0.0");
        assertThat(settings.port()).isEqualTo(9999);
        assertThat(settings.authTokenFile()).contains(Path.of("/etc/strait/token"));
        assertThat(settings.evidenceFile()).contains(Path.of("/var/log/strait/gates.jsonl"));
        assertThat(settings.thresholds()).isEqualTo(new GateThresholds(7, 8, 9000, true));
        assertThat(settings.evaluationInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void defaults_leave_auth_and_evidence_file_off() {
        GatesSettings settings = GatesSettings.from(StraitConfig.parse(required()));
        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(8080);
        assertThat(settings.authTokenFile()).isEmpty();
        assertThat(settings.evidenceFile()).isEmpty();
        assertThat(settings.thresholds()).isEqualTo(new GateThresholds(1_000, 5_000, 30_000, false));
    }

    @Test
    void evaluates_faster_than_a_short_stale_limit() {
        Map<String, String> props = required();
        props.put("gates.stale.ms", "200");
        assertThat(GatesSettings.from(StraitConfig.parse(props)).evaluationInterval())
                .isEqualTo(Duration.ofMillis(50));
    }
}

package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import strait.config.StraitConfig;
import strait.gates.GateEvaluator;
import strait.gates.GateThresholds;

class RegisteredGatesTest {

    @Test
    void theSidecarServesExactlyTheGatesThatGatesDisabledMayName() {
        StraitConfig config = StraitConfig.parse(Map.of(
                StraitConfig.SOURCE_BOOTSTRAP_SERVERS, "src:9092",
                StraitConfig.TARGET_BOOTSTRAP_SERVERS, "tgt:9092",
                StraitConfig.TOPICS, "orders"));
        List<String> served = new ArrayList<>(GateEvaluator.standard(new GateThresholds(1, 1, 1, false))
                .with(RegisteredGates.of(config))
                .gateNames());

        assertThat(served).isEqualTo(StraitConfig.GATE_NAMES);
    }
}

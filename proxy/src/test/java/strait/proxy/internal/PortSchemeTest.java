package strait.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PortSchemeTest {

    private final PortScheme scheme = new PortScheme(9192, 4, 100);

    @Test
    void nodeIdsFromTheLowestMapToTheConsecutivePortsAfterTheBootstrapPort() {
        assertThat(scheme.portOf(100)).hasValue(9193);
        assertThat(scheme.portOf(103)).hasValue(9196);
        assertThat(scheme.nodeOf(9193)).hasValue(100);
        assertThat(scheme.nodeOf(9196)).hasValue(103);
    }

    @Test
    void aNodeIdOutsideTheRangeHasNoPort() {
        assertThat(scheme.portOf(99)).isEmpty();
        assertThat(scheme.portOf(104)).isEmpty();
        assertThat(scheme.portOf(Integer.MAX_VALUE)).isEmpty();
        assertThat(scheme.portOf(Integer.MIN_VALUE)).isEmpty();
    }

    @Test
    void theBootstrapPortAndPortsPastTheRangeStandForNoNode() {
        assertThat(scheme.nodeOf(9192)).isEqualTo(OptionalInt.empty());
        assertThat(scheme.nodeOf(9197)).isEmpty();
        assertThat(scheme.nodeRange()).isEqualTo("100-103");
    }
}

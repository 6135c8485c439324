package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import strait.config.StraitConfig;
import strait.replicator.ReplicatorException;

/** A start-up that timed out while both clusters accepted connections names both addresses and the usual causes. */
class TimedOutStartTest {

    private static final StraitConfig CONFIG = StraitConfig.parse(Map.of(
            StraitConfig.SOURCE_BOOTSTRAP_SERVERS, "src-kafka:9092",
            StraitConfig.TARGET_BOOTSTRAP_SERVERS, "tgt-kafka:9093",
            StraitConfig.TOPICS, "orders"));

    @Test
    void aKafkaTimeoutAnywhereInTheCausesNamesBothAddresses() {
        RuntimeException failure = new ReplicatorException(
                "cannot acquire the link fence (transactional id strait-strait-fence)",
                new org.apache.kafka.common.errors.TimeoutException("Timeout expired after 60000ms"));

        assertThat(Sidecar.timedOutStart(CONFIG, failure))
                .hasValueSatisfying(e -> assertThat(e.getMessage())
                        .startsWith("failed: ReplicatorException: cannot acquire the link fence")
                        .contains("did not answer in time (source src-kafka:9092, target tgt-kafka:9093)")
                        .contains("advertised listeners"));
    }

    @Test
    void anyOtherFailureIsLeftAsItIs() {
        assertThat(Sidecar.timedOutStart(CONFIG, new IllegalStateException("boom")))
                .isEmpty();
    }
}

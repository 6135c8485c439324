package strait.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class ErrorTextTest {

    @Test
    void namesTheTopicsADenialIsAbout() {
        var denied = new ExecutionException(new TopicAuthorizationException("Authorization failed.", Set.of("orders")));

        assertThat(ErrorText.describe(denied))
                .isEqualTo("TopicAuthorizationException: Authorization failed. (topics [orders])");
    }

    @Test
    void namesTheGroupADenialIsAbout() {
        var denied = GroupAuthorizationException.forGroupId("billing");

        assertThat(ErrorText.describe(denied)).contains("billing");
    }

    @Test
    void masksSecretsQuotedInAMessage() {
        var failure =
                new IllegalArgumentException("bad sasl.jaas.config: PlainLoginModule required password=\"hunter2\";");

        assertThat(ErrorText.describe(failure))
                .startsWith("IllegalArgumentException: ")
                .doesNotContain("hunter2");
    }
}

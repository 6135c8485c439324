package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Whether a side's bootstrap addresses accept a connection, said in one line naming the side and the address. */
class ClusterReachabilityTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void aListeningAddressIsReachable() throws IOException {
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(ClusterReachability.problem("source", "127.0.0.1:" + listening.getLocalPort(), TIMEOUT))
                    .isEmpty();
        }
    }

    @Test
    void aClosedPortIsOneLineNamingTheSideTheKeyAndTheAddress() throws IOException {
        int closed = closedPort();

        assertThat(ClusterReachability.problem("target", "127.0.0.1:" + closed, TIMEOUT))
                .contains("cannot reach the target cluster at 127.0.0.1:" + closed
                        + " (target.bootstrap.servers): connection refused");
    }

    @Test
    void oneListeningAddressAmongSeveralIsEnough() throws IOException {
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String servers = "127.0.0.1:" + closedPort() + ", 127.0.0.1:" + listening.getLocalPort();
            assertThat(ClusterReachability.problem("source", servers, TIMEOUT)).isEmpty();
        }
    }

    @Test
    void everyAddressTriedIsNamedWhenNoneAnswers() throws IOException {
        int a = closedPort();
        int b = closedPort();

        assertThat(ClusterReachability.problem("source", "127.0.0.1:" + a + ",127.0.0.1:" + b, TIMEOUT))
                .hasValueSatisfying(line -> assertThat(line)
                        .startsWith("cannot reach the source cluster at 127.0.0.1:" + a + ",127.0.0.1:" + b
                                + " (source.bootstrap.servers): ")
                        .contains("127.0.0.1:" + a + ": connection refused; 127.0.0.1:" + b + ": connection refused"));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}

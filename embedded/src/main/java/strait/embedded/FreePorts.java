package strait.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Consecutive free ports for a proxy's bootstrap and broker ports in tests and benchmarks, chosen below Linux's
 * ephemeral range (32768-60999) so that no client connection's local port takes one between this check and the bind.
 */
public final class FreePorts {

    private FreePorts() {}

    /** The first of {@code count} consecutive ports free on 127.0.0.1 right now. */
    public static int range(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no free range of " + count + " ports found in 200 tries");
    }

    private static boolean allFree(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}

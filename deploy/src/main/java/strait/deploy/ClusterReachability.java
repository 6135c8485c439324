package strait.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.utils.Utils;

/**
 * Whether one side's bootstrap addresses accept a TCP connection: checked before any Kafka client of the sidecar is
 * built, so an unreachable cluster is one line naming the side and the address instead of a minute of client warnings
 * (docs/decisions/0012). A side is reachable when any IP of any of its bootstrap addresses accepts a connection, as a
 * Kafka client needs just one. Nothing is sent; TLS, SASL and whether Kafka answers are left to the clients.
 * Stateless; any thread.
 */
final class ClusterReachability {

    private ClusterReachability() {}

    /**
     * Why the {@code side} ("source" or "target") cluster at {@code bootstrapServers} cannot be reached; empty when
     * one of its addresses accepts a connection within {@code timeout}.
     */
    static Optional<String> problem(String side, String bootstrapServers, Duration timeout) {
        List<String> addresses = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String raw : bootstrapServers.split(",")) {
            String address = raw.strip();
            Optional<String> failure = connectFailure(address, timeout);
            if (failure.isEmpty()) {
                return Optional.empty();
            }
            addresses.add(address);
            failures.add(failure.get());
        }
        String why = failures.size() == 1 ? failures.get(0) : "";
        if (failures.size() > 1) {
            List<String> each = new ArrayList<>();
            for (int i = 0; i < failures.size(); i++) {
                each.add(addresses.get(i) + ": " + failures.get(i));
            }
            why = String.join("; ", each);
        }
        return Optional.of("cannot reach the " + side + " cluster at " + String.join(",", addresses) + " (" + side
                + ".bootstrap.servers): " + why);
    }

    /** Why {@code address} accepts no connection (with the IP tried when it is a name); empty when one of its IPs does. */
    private static Optional<String> connectFailure(String address, Duration timeout) {
        String host = Utils.getHost(address);
        Integer port = Utils.getPort(address);
        if (host == null || port == null) {
            return Optional.of("not host:port");
        }
        InetAddress[] ips;
        try {
            ips = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.of("unknown host " + host);
        }
        String last = "";
        for (InetAddress ip : ips) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(ip, port), (int) timeout.toMillis());
                return Optional.empty();
            } catch (SocketTimeoutException e) {
                last = "no answer within " + timeout.toMillis() + " ms";
            } catch (IOException e) {
                // ConnectException: "Connection refused"; NoRouteToHostException: "No route to host".
                last = e.getMessage() == null
                        ? "cannot connect"
                        : e.getMessage().toLowerCase(java.util.Locale.ROOT);
            }
        }
        String ip = ips[ips.length - 1].getHostAddress();
        return Optional.of(ip.equals(host) ? last : last + " (" + ip + ")");
    }
}

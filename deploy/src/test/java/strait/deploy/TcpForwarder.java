package strait.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.utils.Utils;

/**
 * A plain TCP forwarder from a local port to one {@code host:port}, so a test can make an address that refused
 * connections start answering as a real cluster's bootstrap address. One thread accepts; two per connection copy.
 */
final class TcpForwarder implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private TcpForwarder(ServerSocket server, String upstream) {
        this.server = server;
        Thread accept = new Thread(() -> acceptLoop(upstream), "tcp-forwarder-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** Listens on 127.0.0.1:{@code port} and forwards every connection to {@code upstream} (host:port). */
    static TcpForwarder start(int port, String upstream) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new TcpForwarder(server, upstream.split(",")[0].strip());
    }

    private void acceptLoop(String upstream) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(Utils.getHost(upstream), Utils.getPort(upstream));
                sockets.add(client);
                sockets.add(target);
                pump(client, target);
                pump(target, client);
            } catch (IOException e) {
                // closed, or the upstream refused this one: the client sees its connection closed
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread thread = new Thread(
                () -> {
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // either side closed
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "tcp-forwarder-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(TcpForwarder::closeQuietly);
    }
}

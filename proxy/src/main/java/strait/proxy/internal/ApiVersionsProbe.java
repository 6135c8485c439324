package strait.proxy.internal;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Asks one cluster which api versions and features it supports, once, at the proxy's start: one ApiVersions request
 * (v3) to the first bootstrap broker that answers. ApiVersions is served before authentication on every listener
 * type, so the probe needs no credentials, only the cluster's TLS settings.
 *
 * <p>Runs on the event loop; every step is asynchronous.
 */
final class ApiVersionsProbe {

    static final short VERSION = 3;
    private static final long TIMEOUT_MS = 15_000;

    private ApiVersionsProbe() {}

    static Future<ApiVersionsResponseData> probe(
            Vertx vertx, NetClient client, List<HostPort> bootstrap, Optional<ClientSSLOptions> tls) {
        return probe(vertx, client, bootstrap, tls, 0, null);
    }

    private static Future<ApiVersionsResponseData> probe(
            Vertx vertx,
            NetClient client,
            List<HostPort> bootstrap,
            Optional<ClientSSLOptions> tls,
            int index,
            Throwable last) {
        if (index >= bootstrap.size()) {
            return Future.failedFuture(last);
        }
        HostPort address = bootstrap.get(index);
        return client.connect(connectOptions(address, tls))
                .compose(socket -> ask(vertx, socket))
                .recover(e -> probe(
                        vertx,
                        client,
                        bootstrap,
                        tls,
                        index + 1,
                        new IllegalStateException("ApiVersions from " + address + ": " + e.getMessage(), e)));
    }

    static ConnectOptions connectOptions(HostPort address, Optional<ClientSSLOptions> tls) {
        ConnectOptions options = new ConnectOptions()
                .setHost(address.host())
                .setPort(address.port())
                .setSsl(tls.isPresent());
        tls.ifPresent(options::setSslOptions);
        return options;
    }

    private static Future<ApiVersionsResponseData> ask(Vertx vertx, NetSocket socket) {
        Promise<ApiVersionsResponseData> answer = Promise.promise();
        long timer =
                vertx.setTimer(TIMEOUT_MS, id -> answer.tryFail("no ApiVersions answer within " + TIMEOUT_MS + " ms"));
        socket.handler(new FrameSplitter(
                KafkaFrames.MAX_FRAME_BYTES,
                frame -> {
                    try {
                        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.API_VERSIONS, VERSION);
                        ApiVersionsResponseData data = new ApiVersionsResponseData(in.body(), VERSION);
                        if (data.errorCode() != Errors.NONE.code()) {
                            answer.tryFail(Errors.forCode(data.errorCode()).name());
                        } else {
                            answer.tryComplete(data);
                        }
                    } catch (RuntimeException e) {
                        answer.tryFail(e);
                    }
                },
                what -> answer.tryFail("the broker sent " + what)));
        socket.closeHandler(v -> answer.tryFail("the broker closed the connection"));
        socket.exceptionHandler(answer::tryFail);
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(ApiKeys.API_VERSIONS.id)
                .setRequestApiVersion(VERSION)
                .setCorrelationId(1)
                .setClientId("strait-proxy");
        ApiVersionsRequestData body = new ApiVersionsRequestData()
                .setClientSoftwareName("strait-proxy")
                .setClientSoftwareVersion("1");
        socket.write(KafkaFrames.writeRequest(header, body));
        return answer.future().andThen(r -> {
            vertx.cancelTimer(timer);
            socket.close();
        });
    }
}

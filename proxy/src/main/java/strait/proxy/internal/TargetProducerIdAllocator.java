package strait.proxy.internal;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.internals.ProducerMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.ClusterResourceListeners;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import strait.proxy.ProducerIdMapping;

/**
 * Obtains fresh producer ids from the target, one per source producer id, with InitProducerId requests without a
 * transactional id (as an idempotent producer asks; it needs Write on a topic, or IdempotentWrite on the cluster),
 * {@link #IN_FLIGHT} at a time over one connection. Kafka's network client brings the target's security settings,
 * api version negotiation and retries of a lost connection. Retriable errors are asked again; the call fails when no
 * answer came for {@code request.timeout.ms}.
 *
 * <p>Blocking: runs on the thread that switches the proxy (the cutover's), never on the event loop. Not thread-safe.
 */
public final class TargetProducerIdAllocator implements AutoCloseable {

    static final int IN_FLIGHT = 50;
    private static final long RETRY_BACKOFF_MS = 50;

    private final Time time = Time.SYSTEM;
    private final Metrics metrics = new Metrics();
    private final NetworkClient client;
    private final int requestTimeoutMs;

    public TargetProducerIdAllocator(Map<String, Object> targetProps) {
        Map<String, Object> props = new HashMap<>(targetProps);
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "strait-proxy-producer-ids");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        ProducerConfig config = new ProducerConfig(props);
        this.requestTimeoutMs = config.getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
        LogContext logContext = new LogContext("[strait proxy producer ids] ");
        ProducerMetadata metadata = new ProducerMetadata(
                config.getLong(ProducerConfig.RETRY_BACKOFF_MS_CONFIG),
                config.getLong(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG),
                config.getLong(ProducerConfig.METADATA_MAX_AGE_CONFIG),
                config.getLong(ProducerConfig.METADATA_MAX_IDLE_CONFIG),
                logContext,
                new ClusterResourceListeners(),
                time);
        List<InetSocketAddress> addresses = ClientUtils.parseAndValidateAddresses(config);
        metadata.bootstrap(addresses);
        this.client = ClientUtils.createNetworkClient(
                config,
                metrics,
                "strait-proxy-ids",
                logContext,
                new ApiVersions(),
                time,
                IN_FLIGHT,
                metadata,
                null,
                null);
    }

    /**
     * One fresh target producer id for each of {@code sources}.
     *
     * @throws KafkaException the target's refusal (an authorization error, say) or a timeout
     */
    public ProducerIdMapping allocate(long[] sources) {
        if (sources.length == 0) {
            return ProducerIdMapping.empty();
        }
        long[] targets = new long[sources.length];
        ArrayDeque<Integer> todo = new ArrayDeque<>(sources.length);
        for (int i = 0; i < sources.length; i++) {
            todo.add(i);
        }
        int[] done = {0};
        int[] inFlight = {0};
        KafkaException[] failure = {null};
        long[] lastProgress = {time.milliseconds()};
        Node node = null;
        while (done[0] < sources.length) {
            if (failure[0] != null) {
                throw failure[0];
            }
            long now = time.milliseconds();
            if (now - lastProgress[0] > requestTimeoutMs) {
                throw new TimeoutException("the target answered no InitProducerId request within " + requestTimeoutMs
                        + " ms (" + done[0] + " of " + sources.length + " producer ids allocated)");
            }
            if (node == null || client.connectionFailed(node)) {
                if (node != null && client.authenticationException(node) != null) {
                    throw client.authenticationException(node);
                }
                node = client.leastLoadedNode(now).node();
            }
            if (node != null && client.ready(node, now)) {
                while (!todo.isEmpty() && client.isReady(node, now)) {
                    int index = todo.poll();
                    inFlight[0]++;
                    client.send(
                            request(node, now, response -> {
                                inFlight[0]--;
                                Errors error = answered(response, targets, index);
                                if (error == Errors.NONE) {
                                    done[0]++;
                                    lastProgress[0] = time.milliseconds();
                                } else if (error.exception() instanceof RetriableException) {
                                    todo.add(index);
                                } else {
                                    failure[0] = error.exception();
                                }
                            }),
                            now);
                }
            }
            client.poll(inFlight[0] > 0 ? RETRY_BACKOFF_MS : RETRY_BACKOFF_MS / 5, time.milliseconds());
        }
        Map<Long, Long> mapping = new LinkedHashMap<>();
        for (int i = 0; i < sources.length; i++) {
            mapping.put(sources[i], targets[i]);
        }
        return ProducerIdMapping.of(mapping);
    }

    private ClientRequest request(Node node, long now, java.util.function.Consumer<ClientResponse> onAnswer) {
        InitProducerIdRequest.Builder builder = new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId(null)
                .setTransactionTimeoutMs(Integer.MAX_VALUE)
                .setProducerId(-1L)
                .setProducerEpoch((short) -1));
        return client.newClientRequest(node.idString(), builder, now, true, requestTimeoutMs, onAnswer::accept);
    }

    /** NONE with the id stored; a lost connection or a timeout counts as retriable. */
    private static Errors answered(ClientResponse response, long[] targets, int index) {
        if (response.wasDisconnected() || response.wasTimedOut()) {
            return Errors.NETWORK_EXCEPTION;
        }
        if (response.versionMismatch() != null) {
            return Errors.UNSUPPORTED_VERSION;
        }
        InitProducerIdResponse body = (InitProducerIdResponse) response.responseBody();
        Errors error = Errors.forCode(body.data().errorCode());
        if (error == Errors.NONE) {
            targets[index] = body.data().producerId();
        }
        return error;
    }

    @Override
    public void close() {
        client.close();
        metrics.close();
    }
}

package strait.proxy.internal;

import io.vertx.core.buffer.Buffer;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Rewrites every broker address a client can learn from a response, so that it only ever connects to the proxy:
 * Metadata and DescribeCluster brokers, FindCoordinator's coordinator (the single one before v4, each of the list
 * from v4), and the KIP-951 leader hints ({@code NodeEndpoints}) of Produce (v10+), Fetch (v16+), ShareFetch and
 * ShareAcknowledge. ApiVersions is narrowed by {@link ApiVersionsIntersection}. InitProducerId answers are read by the
 * connection (producer ids, {@link ProducerIds}) and never rewritten; they count as decoded so their versions are
 * capped at what the proxy parses. A response is decoded with
 * kafka-clients' generated classes at its request's version and written again only when something changed; any
 * other response passes as it came.
 *
 * <p>A broker with no proxy port is left out of Metadata, DescribeCluster and the leader hints (a client then sees
 * its partitions without a leader and keeps refreshing metadata); a coordinator with no proxy port becomes
 * {@code COORDINATOR_NOT_AVAILABLE}, which clients retry.
 *
 * <p>Stateless apart from the cluster's addresses; used on the event loop.
 */
final class ResponseRewriter {

    private static final Set<ApiKeys> DECODED = EnumSet.of(
            ApiKeys.API_VERSIONS,
            ApiKeys.METADATA,
            ApiKeys.FIND_COORDINATOR,
            ApiKeys.DESCRIBE_CLUSTER,
            ApiKeys.PRODUCE,
            ApiKeys.FETCH,
            ApiKeys.SHARE_FETCH,
            ApiKeys.SHARE_ACKNOWLEDGE,
            // Read (never rewritten) by the connection for the producer ids it issues.
            ApiKeys.INIT_PRODUCER_ID);

    /** Produce responses carry leader hints from this version on (KIP-951). */
    static final short PRODUCE_NODE_ENDPOINTS_VERSION = 10;
    /** Fetch responses carry leader hints from this version on (KIP-951). */
    static final short FETCH_NODE_ENDPOINTS_VERSION = 16;

    private final ClusterAddresses addresses;
    private final ApiVersionsIntersection apiVersions;
    private final java.util.function.Consumer<MetadataResponseData> onMetadata;

    ResponseRewriter(ClusterAddresses addresses, ApiVersionsIntersection apiVersions) {
        this(addresses, apiVersions, data -> {});
    }

    /** {@code onMetadata} sees every decoded Metadata answer (the topic ids, {@link TopicIds}). */
    ResponseRewriter(
            ClusterAddresses addresses,
            ApiVersionsIntersection apiVersions,
            java.util.function.Consumer<MetadataResponseData> onMetadata) {
        this.addresses = addresses;
        this.apiVersions = apiVersions;
        this.onMetadata = onMetadata;
    }

    /** Whether the proxy decodes responses of {@code api} (and so caps its versions in ApiVersions). */
    static boolean decodes(ApiKeys api) {
        return DECODED.contains(api);
    }

    /** The frame to send the client: {@code frame} itself, or a rewritten copy. */
    Buffer rewrite(ApiKeys api, short version, Buffer frame) {
        return switch (api) {
            case API_VERSIONS -> apiVersions(version, frame);
            case METADATA -> metadata(version, frame);
            case FIND_COORDINATOR -> findCoordinator(version, frame);
            case DESCRIBE_CLUSTER -> describeCluster(version, frame);
            case PRODUCE -> version < PRODUCE_NODE_ENDPOINTS_VERSION ? frame : produce(version, frame);
            case FETCH -> version < FETCH_NODE_ENDPOINTS_VERSION ? frame : fetch(version, frame);
            case SHARE_FETCH -> shareFetch(version, frame);
            case SHARE_ACKNOWLEDGE -> shareAcknowledge(version, frame);
            default -> frame;
        };
    }

    private Buffer apiVersions(short version, Buffer frame) {
        // Every version starts its body with the error code; an error answer (an unsupported request version) is
        // written at v0 whatever was asked, and carries nothing to narrow.
        if (frame.getShort(8) != 0) {
            return frame;
        }
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.API_VERSIONS, version);
        ApiVersionsResponseData data = new ApiVersionsResponseData(in.body(), version);
        apiVersions.narrow(data);
        return KafkaFrames.writeResponse(in.header(), data, ApiKeys.API_VERSIONS, version);
    }

    private Buffer metadata(short version, Buffer frame) {
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.METADATA, version);
        MetadataResponseData data = new MetadataResponseData(in.body(), version);
        onMetadata.accept(data);
        for (Iterator<MetadataResponseData.MetadataResponseBroker> it =
                        data.brokers().iterator();
                it.hasNext(); ) {
            MetadataResponseData.MetadataResponseBroker broker = it.next();
            OptionalInt port = addresses.advertise(broker.nodeId(), broker.host(), broker.port());
            if (port.isEmpty()) {
                it.remove();
            } else {
                broker.setHost(addresses.advertisedHost()).setPort(port.getAsInt());
            }
        }
        return KafkaFrames.writeResponse(in.header(), data, ApiKeys.METADATA, version);
    }

    private Buffer describeCluster(short version, Buffer frame) {
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.DESCRIBE_CLUSTER, version);
        DescribeClusterResponseData data = new DescribeClusterResponseData(in.body(), version);
        for (Iterator<DescribeClusterResponseData.DescribeClusterBroker> it =
                        data.brokers().iterator();
                it.hasNext(); ) {
            DescribeClusterResponseData.DescribeClusterBroker broker = it.next();
            OptionalInt port = addresses.advertise(broker.brokerId(), broker.host(), broker.port());
            if (port.isEmpty()) {
                it.remove();
            } else {
                broker.setHost(addresses.advertisedHost()).setPort(port.getAsInt());
            }
        }
        return KafkaFrames.writeResponse(in.header(), data, ApiKeys.DESCRIBE_CLUSTER, version);
    }

    private Buffer findCoordinator(short version, Buffer frame) {
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.FIND_COORDINATOR, version);
        FindCoordinatorResponseData data = new FindCoordinatorResponseData(in.body(), version);
        if (version < 4) {
            if (data.errorCode() == Errors.NONE.code() && data.nodeId() >= 0) {
                OptionalInt port = addresses.advertise(data.nodeId(), data.host(), data.port());
                if (port.isEmpty()) {
                    data.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                            .setErrorMessage(unreachable(data.nodeId()))
                            .setNodeId(-1)
                            .setHost("")
                            .setPort(-1);
                } else {
                    data.setHost(addresses.advertisedHost()).setPort(port.getAsInt());
                }
            }
        } else {
            for (FindCoordinatorResponseData.Coordinator coordinator : data.coordinators()) {
                if (coordinator.errorCode() != Errors.NONE.code() || coordinator.nodeId() < 0) {
                    continue;
                }
                OptionalInt port = addresses.advertise(coordinator.nodeId(), coordinator.host(), coordinator.port());
                if (port.isEmpty()) {
                    coordinator
                            .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                            .setErrorMessage(unreachable(coordinator.nodeId()))
                            .setNodeId(-1)
                            .setHost("")
                            .setPort(-1);
                } else {
                    coordinator.setHost(addresses.advertisedHost()).setPort(port.getAsInt());
                }
            }
        }
        return KafkaFrames.writeResponse(in.header(), data, ApiKeys.FIND_COORDINATOR, version);
    }

    private static String unreachable(int nodeId) {
        return "coordinator " + nodeId + " is outside the producer proxy's broker ports";
    }

    private Buffer produce(short version, Buffer frame) {
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.PRODUCE, version);
        ProduceResponseData data = new ProduceResponseData(in.body(), version);
        if (data.nodeEndpoints().isEmpty()) {
            return frame;
        }
        rewriteEndpoints(data.nodeEndpoints().iterator(), NodeEndpoints.PRODUCE);
        return written(in, data, ApiKeys.PRODUCE, version);
    }

    private Buffer fetch(short version, Buffer frame) {
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.FETCH, version);
        FetchResponseData data = new FetchResponseData(in.body(), version);
        if (data.nodeEndpoints().isEmpty()) {
            return frame;
        }
        rewriteEndpoints(data.nodeEndpoints().iterator(), NodeEndpoints.FETCH);
        return written(in, data, ApiKeys.FETCH, version);
    }

    private Buffer shareFetch(short version, Buffer frame) {
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.SHARE_FETCH, version);
        ShareFetchResponseData data = new ShareFetchResponseData(in.body(), version);
        if (data.nodeEndpoints().isEmpty()) {
            return frame;
        }
        rewriteEndpoints(data.nodeEndpoints().iterator(), NodeEndpoints.SHARE_FETCH);
        return written(in, data, ApiKeys.SHARE_FETCH, version);
    }

    private Buffer shareAcknowledge(short version, Buffer frame) {
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.SHARE_ACKNOWLEDGE, version);
        ShareAcknowledgeResponseData data = new ShareAcknowledgeResponseData(in.body(), version);
        if (data.nodeEndpoints().isEmpty()) {
            return frame;
        }
        rewriteEndpoints(data.nodeEndpoints().iterator(), NodeEndpoints.SHARE_ACKNOWLEDGE);
        return written(in, data, ApiKeys.SHARE_ACKNOWLEDGE, version);
    }

    private static Buffer written(KafkaFrames.Response in, ApiMessage data, ApiKeys api, short version) {
        return KafkaFrames.writeResponse(in.header(), data, api, version);
    }

    private <E> void rewriteEndpoints(Iterator<E> endpoints, NodeEndpoints<E> view) {
        while (endpoints.hasNext()) {
            E endpoint = endpoints.next();
            OptionalInt port = addresses.advertise(view.nodeId(endpoint), view.host(endpoint), view.port(endpoint));
            if (port.isEmpty()) {
                endpoints.remove();
            } else {
                view.set(endpoint, addresses.advertisedHost(), port.getAsInt());
            }
        }
    }
}

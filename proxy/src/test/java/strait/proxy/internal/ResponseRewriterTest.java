package strait.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import strait.proxy.Cluster;

/** Address rewriting on responses built with Kafka's own classes: brokers 1 and 2 have proxy ports, 9 has none. */
class ResponseRewriterTest {

    private final AtomicInteger unmapped = new AtomicInteger();
    private final NodeDirectory directory = new NodeDirectory();
    private final ResponseRewriter rewriter = new ResponseRewriter(
            new ClusterAddresses(
                    Cluster.SOURCE, new PortScheme(9192, 2, 1), "proxy.example", directory, unmapped::incrementAndGet),
            new ApiVersionsIntersection(List.of()));

    private static Buffer frame(ApiKeys api, short version, ApiMessage body) {
        return KafkaFrames.writeResponse(new ResponseHeaderData().setCorrelationId(7), body, api, version);
    }

    private static KafkaFrames.Response header(Buffer frame, ApiKeys api, short version) {
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, api, version);
        assertThat(in.header().correlationId()).isEqualTo(7);
        return in;
    }

    @Test
    void rewritesEveryBrokerAddressInMetadataAndLeavesOutABrokerWithNoPort() {
        MetadataResponseData metadata = new MetadataResponseData();
        metadata.brokers()
                .add(new MetadataResponseData.MetadataResponseBroker()
                        .setNodeId(1)
                        .setHost("b1")
                        .setPort(1));
        metadata.brokers()
                .add(new MetadataResponseData.MetadataResponseBroker()
                        .setNodeId(2)
                        .setHost("b2")
                        .setPort(2));
        metadata.brokers()
                .add(new MetadataResponseData.MetadataResponseBroker()
                        .setNodeId(9)
                        .setHost("b9")
                        .setPort(9));
        short version = ApiKeys.METADATA.latestVersion();

        Buffer out = rewriter.rewrite(ApiKeys.METADATA, version, frame(ApiKeys.METADATA, version, metadata));

        MetadataResponseData seen =
                new MetadataResponseData(header(out, ApiKeys.METADATA, version).body(), version);
        assertThat(seen.brokers())
                .extracting(b -> b.nodeId() + "@" + b.host() + ":" + b.port())
                .containsExactly("1@proxy.example:9193", "2@proxy.example:9194");
        assertThat(unmapped).hasValue(1);
        assertThat(directory.get(2)).contains(new HostPort("b2", 2));
    }

    @Test
    void rewritesTheSingleCoordinatorOfFindCoordinatorBeforeV4() {
        FindCoordinatorResponseData found =
                new FindCoordinatorResponseData().setNodeId(2).setHost("b2").setPort(2);
        short v3 = 3;

        Buffer out = rewriter.rewrite(ApiKeys.FIND_COORDINATOR, v3, frame(ApiKeys.FIND_COORDINATOR, v3, found));

        FindCoordinatorResponseData seen = new FindCoordinatorResponseData(
                header(out, ApiKeys.FIND_COORDINATOR, v3).body(), v3);
        assertThat(seen.host()).isEqualTo("proxy.example");
        assertThat(seen.port()).isEqualTo(9194);
    }

    @Test
    void rewritesEachCoordinatorFromV4AndMakesOneWithNoPortNotAvailable() {
        FindCoordinatorResponseData found = new FindCoordinatorResponseData()
                .setCoordinators(List.of(
                        new FindCoordinatorResponseData.Coordinator()
                                .setKey("g1")
                                .setNodeId(1)
                                .setHost("b1")
                                .setPort(1),
                        new FindCoordinatorResponseData.Coordinator()
                                .setKey("g9")
                                .setNodeId(9)
                                .setHost("b9")
                                .setPort(9),
                        new FindCoordinatorResponseData.Coordinator()
                                .setKey("gx")
                                .setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code())
                                .setNodeId(-1)
                                .setHost("")
                                .setPort(-1)));
        short version = ApiKeys.FIND_COORDINATOR.latestVersion();

        Buffer out =
                rewriter.rewrite(ApiKeys.FIND_COORDINATOR, version, frame(ApiKeys.FIND_COORDINATOR, version, found));

        FindCoordinatorResponseData seen = new FindCoordinatorResponseData(
                header(out, ApiKeys.FIND_COORDINATOR, version).body(), version);
        assertThat(seen.coordinators().get(0).port()).isEqualTo(9193);
        assertThat(seen.coordinators().get(0).host()).isEqualTo("proxy.example");
        assertThat(seen.coordinators().get(1).errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(seen.coordinators().get(1).host()).isEmpty();
        assertThat(seen.coordinators().get(2).errorCode()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
    }

    @Test
    void rewritesDescribeClusterBrokers() {
        DescribeClusterResponseData described = new DescribeClusterResponseData();
        described
                .brokers()
                .add(new DescribeClusterResponseData.DescribeClusterBroker()
                        .setBrokerId(1)
                        .setHost("b1")
                        .setPort(1));
        short version = ApiKeys.DESCRIBE_CLUSTER.latestVersion();

        Buffer out = rewriter.rewrite(
                ApiKeys.DESCRIBE_CLUSTER, version, frame(ApiKeys.DESCRIBE_CLUSTER, version, described));

        DescribeClusterResponseData seen = new DescribeClusterResponseData(
                header(out, ApiKeys.DESCRIBE_CLUSTER, version).body(), version);
        assertThat(seen.brokers().find(1).port()).isEqualTo(9193);
    }

    @Test
    void rewritesTheLeaderHintsOfAProduceResponse() {
        ProduceResponseData produced = new ProduceResponseData();
        produced.nodeEndpoints()
                .add(new ProduceResponseData.NodeEndpoint()
                        .setNodeId(2)
                        .setHost("b2")
                        .setPort(2));
        produced.nodeEndpoints()
                .add(new ProduceResponseData.NodeEndpoint()
                        .setNodeId(9)
                        .setHost("b9")
                        .setPort(9));
        short version = ApiKeys.PRODUCE.latestVersion();

        Buffer out = rewriter.rewrite(ApiKeys.PRODUCE, version, frame(ApiKeys.PRODUCE, version, produced));

        ProduceResponseData seen =
                new ProduceResponseData(header(out, ApiKeys.PRODUCE, version).body(), version);
        assertThat(seen.nodeEndpoints())
                .extracting(e -> e.nodeId() + "@" + e.host() + ":" + e.port())
                .containsExactly("2@proxy.example:9194");
    }

    @Test
    void rewritesTheLeaderHintsOfAFetchResponseAndPassesOneWithoutHintsAsItCame() {
        short version = ApiKeys.FETCH.latestVersion();
        Buffer plain = frame(ApiKeys.FETCH, version, new FetchResponseData());
        assertThat(rewriter.rewrite(ApiKeys.FETCH, version, plain)).isSameAs(plain);

        FetchResponseData hinted = new FetchResponseData();
        hinted.nodeEndpoints()
                .add(new FetchResponseData.NodeEndpoint()
                        .setNodeId(1)
                        .setHost("b1")
                        .setPort(1));
        Buffer out = rewriter.rewrite(ApiKeys.FETCH, version, frame(ApiKeys.FETCH, version, hinted));
        FetchResponseData seen =
                new FetchResponseData(header(out, ApiKeys.FETCH, version).body(), version);
        assertThat(seen.nodeEndpoints().find(1).port()).isEqualTo(9193);
    }

    @Test
    void aResponseOfAnApiTheProxyDoesNotDecodeIsTheSameBuffer() {
        short version = ApiKeys.LIST_OFFSETS.latestVersion();
        Buffer frame = frame(ApiKeys.LIST_OFFSETS, version, new ListOffsetsResponseData());

        assertThat(rewriter.rewrite(ApiKeys.LIST_OFFSETS, version, frame)).isSameAs(frame);
        assertThat(ResponseRewriter.decodes(ApiKeys.LIST_OFFSETS)).isFalse();
    }
}

package strait.replicator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.clients.NetworkClientUtils;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.internals.ProducerMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidMetadataException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.ClusterResourceListeners;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import strait.offsets.WriterId;

/**
 * Strait's own producer: sends the batches its {@link BatchEncoder} made under the link's {@link WriterId}, with the
 * sequence number of a batch chosen by the caller. Kafka's producer cannot do that (it picks its own producer id and
 * sequences, and renumbers after a refusal), and that choice is what makes a second copy impossible: the sender gives
 * each record the target offset it must land at as its sequence, so every instance of a link numbers a record the
 * same way and the partition leader takes each number once, in order (docs/decisions/0004).
 *
 * <p>With {@link BatchEncoder}, the one place that uses Kafka's internal client classes (network client, metadata,
 * request and record builders of kafka-clients 4.3); security, bootstrap and timeouts come from the target client
 * properties like for any Kafka client. One attempt per call: retrying is the caller's decision.
 *
 * <p>Threads: confined to its sender thread (the network client is not thread-safe); {@link #allocate} on the
 * starting thread.
 */
final class TargetWriter implements BatchTarget {

    /** The longest {@link #prepare} waits for leaders and connections. */
    private static final long PREPARE_MAX_MS = 1_000;

    private final Time time = Time.SYSTEM;
    private final Metrics metrics = new Metrics();
    private final ProducerMetadata metadata;
    private final NetworkClient client;
    private final BatchEncoder encoder;
    private final int requestTimeoutMs;
    private final int maxRequestBytes;
    private final long deliveryTimeoutMs;
    private final long retryBackoffMs;

    TargetWriter(Map<String, Object> targetProps, String clientId, WriterId writer) {
        ProducerConfig config = config(targetProps, clientId);
        this.encoder = writer == null ? null : BatchEncoder.of(config, writer);
        this.requestTimeoutMs = config.getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
        this.maxRequestBytes = config.getInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        this.deliveryTimeoutMs = config.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        this.retryBackoffMs = config.getLong(ProducerConfig.RETRY_BACKOFF_MS_CONFIG);
        LogContext logContext = new LogContext("[strait writer " + clientId + "] ");
        this.metadata = new ProducerMetadata(
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
                config, metrics, "strait-writer", logContext, new ApiVersions(), time, 5, metadata, null, null);
    }

    private static ProducerConfig config(Map<String, Object> targetProps, String clientId) {
        Map<String, Object> props = new HashMap<>(targetProps);
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new ProducerConfig(props);
    }

    /**
     * Asks the target for a new producer id (InitProducerId without a transactional id, as an idempotent producer
     * does; it needs Write on any topic). Blocks up to the request timeout, retrying retriable errors.
     */
    static WriterId allocate(Map<String, Object> targetProps, String clientId) {
        try (TargetWriter w = new TargetWriter(targetProps, clientId, null)) {
            return w.initProducerId();
        } catch (KafkaException e) {
            throw new ReplicatorException(
                    "cannot allocate the link's producer id on the target (InitProducerId needs "
                            + "Write on a topic, or IdempotentWrite on the cluster before Kafka 3.0): "
                            + Failures.describe(e),
                    e);
        }
    }

    private WriterId initProducerId() {
        long deadline = time.milliseconds() + requestTimeoutMs;
        KafkaException last =
                new TimeoutException("no broker of the target answered within " + requestTimeoutMs + " ms");
        while (time.milliseconds() < deadline) {
            Node node = client.leastLoadedNode(time.milliseconds()).node();
            try {
                if (node == null
                        || !NetworkClientUtils.awaitReady(
                                client, node, time, Math.max(1, deadline - time.milliseconds()))) {
                    client.poll(100, time.milliseconds());
                    continue;
                }
                InitProducerIdRequest.Builder request =
                        new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                                .setTransactionalId(null)
                                .setTransactionTimeoutMs(Integer.MAX_VALUE)
                                .setProducerId(RecordBatch.NO_PRODUCER_ID)
                                .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
                ClientRequest clientRequest = client.newClientRequest(
                        node.idString(), request, time.milliseconds(), true, requestTimeoutMs, null);
                ClientResponse response = NetworkClientUtils.sendAndReceive(client, clientRequest, time);
                InitProducerIdResponse body = (InitProducerIdResponse) response.responseBody();
                Errors error = Errors.forCode(body.data().errorCode());
                if (error == Errors.NONE) {
                    return new WriterId(body.data().producerId(), body.data().producerEpoch());
                }
                last = error.exception();
                if (!(last instanceof RetriableException)) {
                    throw last;
                }
            } catch (IOException e) {
                last = new NetworkException("InitProducerId to " + node + " failed: " + e.getMessage(), e);
            }
            time.sleep(100);
        }
        throw last;
    }

    @Override
    public void prepare(Collection<String> topics) {
        long now = time.milliseconds();
        topics.forEach(topic -> metadata.add(topic, now));
        long deadline = now + Math.min(requestTimeoutMs, PREPARE_MAX_MS);
        while (time.milliseconds() < deadline && !leadersReady(topics)) {
            client.poll(20, time.milliseconds());
        }
    }

    /** Whether every partition of the topics has a known leader with a ready connection (starts connecting). */
    private boolean leadersReady(Collection<String> topics) {
        Cluster cluster = metadata.fetch();
        boolean ready = true;
        for (String topic : topics) {
            List<PartitionInfo> partitions = cluster.partitionsForTopic(topic);
            if (partitions.isEmpty()) {
                ready = false;
            }
            for (PartitionInfo p : partitions) {
                // ready() begins connecting to a leader it is not connected to: every leader gets asked.
                if (p.leader() == null || p.leader().isEmpty() || !client.ready(p.leader(), time.milliseconds())) {
                    ready = false;
                }
            }
        }
        return ready;
    }

    /**
     * Sends the batches (at most one per partition) to their partitions' leaders in one request per leader, up to
     * {@code max.request.size} each, and waits for the answers. Blocks up to the request timeout plus connecting.
     */
    @Override
    public Map<TopicPartition, Result> write(List<Batch> batches) {
        Map<TopicPartition, Result> results = new HashMap<>();
        long now = time.milliseconds();
        for (Batch b : batches) {
            metadata.add(b.tp().topic(), now);
        }
        Map<Node, List<Batch>> byLeader = leaders(batches, results);
        Map<Node, ProduceRequestData.TopicProduceDataCollection> requests = new LinkedHashMap<>();
        Map<Node, Map<TopicPartition, Batch>> sent = new HashMap<>();
        Map<String, Uuid> topicIds = metadata.topicIds();
        byLeader.forEach((node, list) -> {
            ProduceRequestData.TopicProduceDataCollection data = new ProduceRequestData.TopicProduceDataCollection();
            Map<TopicPartition, Batch> inRequest = new HashMap<>();
            int bytes = 0;
            for (Batch b : list) {
                if (!inRequest.isEmpty() && bytes + b.sizeInBytes() > maxRequestBytes) {
                    results.put(b.tp(), new Result.Deferred());
                    continue;
                }
                bytes += b.sizeInBytes();
                Uuid id = topicIds.getOrDefault(b.tp().topic(), Uuid.ZERO_UUID);
                ProduceRequestData.TopicProduceData topic = data.find(b.tp().topic(), id);
                if (topic == null) {
                    topic = new ProduceRequestData.TopicProduceData()
                            .setName(b.tp().topic())
                            .setTopicId(id);
                    data.add(topic);
                }
                topic.partitionData()
                        .add(new ProduceRequestData.PartitionProduceData()
                                .setIndex(b.tp().partition())
                                .setRecords(b.memory()));
                inRequest.put(b.tp(), b);
            }
            requests.put(node, data);
            sent.put(node, inRequest);
        });
        Map<Uuid, String> names = metadata.topicNames();
        int[] awaiting = {0};
        requests.forEach((node, data) -> {
            Map<TopicPartition, Batch> inRequest = sent.get(node);
            try {
                if (!NetworkClientUtils.awaitReady(client, node, time, requestTimeoutMs)) {
                    fail(
                            inRequest,
                            results,
                            new NetworkException(
                                    "could not connect to " + node + " within " + requestTimeoutMs + " ms"));
                    return;
                }
            } catch (IOException e) {
                fail(
                        inRequest,
                        results,
                        new NetworkException("connecting to " + node + " failed: " + e.getMessage(), e));
                return;
            }
            ProduceRequest.Builder request = ProduceRequest.builder(new ProduceRequestData()
                    .setAcks((short) -1)
                    .setTimeoutMs(requestTimeoutMs)
                    .setTopicData(data));
            ClientRequest clientRequest = client.newClientRequest(
                    node.idString(), request, time.milliseconds(), true, requestTimeoutMs, response -> {
                        awaiting[0]--;
                        answered(response, inRequest, names, results);
                    });
            awaiting[0]++;
            client.send(clientRequest, time.milliseconds());
        });
        long deadline = time.milliseconds() + requestTimeoutMs + 1_000L;
        while (awaiting[0] > 0 && time.milliseconds() < deadline) {
            client.poll(Math.max(1, deadline - time.milliseconds()), time.milliseconds());
        }
        if (awaiting[0] > 0) {
            // No request may outlive the round: the sender reuses a batch's bytes once the round is answered.
            requests.keySet().forEach(node -> client.disconnect(node.idString()));
            client.poll(0, time.milliseconds());
        }
        for (Batch b : batches) {
            results.putIfAbsent(
                    b.tp(),
                    new Result.Failed(new TimeoutException(
                            "no answer from the leader of " + b.tp() + " within " + requestTimeoutMs + " ms")));
        }
        return results;
    }

    /** Groups the batches by their partition's leader; a partition without a known leader fails (retriable). */
    private Map<Node, List<Batch>> leaders(List<Batch> batches, Map<TopicPartition, Result> results) {
        long deadline = time.milliseconds() + Math.min(requestTimeoutMs, 10_000);
        while (true) {
            Map<Node, List<Batch>> byLeader = new LinkedHashMap<>();
            List<Batch> unknown = new ArrayList<>();
            for (Batch b : batches) {
                Node leader = metadata.fetch().leaderFor(b.tp());
                if (leader == null) {
                    unknown.add(b);
                } else {
                    byLeader.computeIfAbsent(leader, n -> new ArrayList<>()).add(b);
                }
            }
            if (unknown.isEmpty() || time.milliseconds() >= deadline) {
                for (Batch b : unknown) {
                    results.put(
                            b.tp(),
                            new Result.Failed(new LeaderNotAvailableException(
                                    "no leader known for " + b.tp() + " on the target")));
                }
                return byLeader;
            }
            metadata.requestUpdateForTopic(unknown.get(0).tp().topic());
            client.poll(100, time.milliseconds());
        }
    }

    private void answered(
            ClientResponse response,
            Map<TopicPartition, Batch> inRequest,
            Map<Uuid, String> names,
            Map<TopicPartition, Result> results) {
        if (response.wasDisconnected() || response.wasTimedOut()) {
            metadata.requestUpdate(false);
            fail(
                    inRequest,
                    results,
                    new NetworkException("lost the connection to target broker " + response.destination()
                            + (response.wasTimedOut() ? " (request timed out)" : "")));
            return;
        }
        if (response.versionMismatch() != null) {
            fail(inRequest, results, response.versionMismatch());
            return;
        }
        if (response.authenticationException() != null) {
            fail(inRequest, results, response.authenticationException());
            return;
        }
        ProduceResponse body = (ProduceResponse) response.responseBody();
        body.data()
                .responses()
                .forEach(topic -> topic.partitionResponses().forEach(p -> {
                    String name = !topic.topicId().equals(Uuid.ZERO_UUID) && names.containsKey(topic.topicId())
                            ? names.get(topic.topicId())
                            : topic.name();
                    TopicPartition tp = new TopicPartition(name, p.index());
                    if (!inRequest.containsKey(tp)) {
                        return;
                    }
                    Errors error = Errors.forCode(p.errorCode());
                    if (error == Errors.NONE) {
                        results.put(tp, new Result.Acked(p.baseOffset()));
                    } else {
                        if (error.exception() instanceof InvalidMetadataException) {
                            metadata.requestUpdate(false);
                        }
                        String message = p.errorMessage() != null
                                ? p.errorMessage()
                                : p.recordErrors().isEmpty()
                                        ? null
                                        : p.recordErrors().get(0).batchIndexErrorMessage();
                        results.put(
                                tp, new Result.Failed(message == null ? error.exception() : error.exception(message)));
                    }
                }));
        for (TopicPartition tp : inRequest.keySet()) {
            results.putIfAbsent(
                    tp,
                    new Result.Failed(new NetworkException(
                            "the answer of broker " + response.destination() + " did not mention " + tp)));
        }
    }

    private static void fail(
            Map<TopicPartition, Batch> batches, Map<TopicPartition, Result> results, KafkaException error) {
        batches.keySet().forEach(tp -> results.put(tp, new Result.Failed(error)));
    }

    @Override
    public BatchEncoder encoder() {
        return encoder;
    }

    @Override
    public long deliveryTimeoutMs() {
        return deliveryTimeoutMs;
    }

    @Override
    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    @Override
    public void close() {
        client.close();
        metrics.close();
    }
}

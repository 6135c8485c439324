package strait.proxy.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.proxy.Cluster;
import strait.proxy.ProduceHook;
import strait.proxy.ProducerIdMapping;

/**
 * One client connection and the upstream broker connection it is paired with, for its whole life: the client's
 * bytes go to that one broker, frame by frame, and the broker's come back, rewritten where they carry addresses.
 *
 * <p>Order is the invariant: requests go upstream in the order the client sent them, and every response the client
 * gets answers its oldest unanswered request (Kafka clients fail a connection otherwise). Hence one queue: a frame
 * waits in {@code waiting} while the upstream is not connected yet or while a held Produce request is ahead of it,
 * and the client is not read from while something is held. {@code owed} lists the forwarded requests whose responses
 * are still due, oldest first, with what is needed to decode them, or the answer the proxy gives itself (a refused
 * transactional InitProducerId), delivered when its turn comes.
 *
 * <p>Producer ids ({@link ProducerIds}): on a source connection the ids of every Produce request and InitProducerId
 * answer are recorded; on a target connection mapped ids are rewritten in each Produce request as it is forwarded,
 * and an InitProducerId answer issuing a mapped source id is withheld and the connection closed.
 *
 * <p>Confined to its event loop: every method is called there.
 */
final class ClientConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    /** How long a retired connection waits for the responses its old upstream still owes before it closes. */
    static final long RETIRE_MAX_MS = 30_000;

    /**
     * A response due: from upstream ({@code local} null), or the proxy's own answer. For a Produce request to the
     * target, {@code landing} lists the first landing keys it put in flight ({@link FirstLandings}) and
     * {@code topicIdsBack} maps each target topic id patched into it to the source id the client sent, which its
     * answer must carry again (the client finds its batches by the ids it sent).
     */
    private record Owed(
            int correlationId,
            ApiKeys api,
            short version,
            Buffer local,
            List<FirstLandings.Key> landing,
            Map<Uuid, Uuid> topicIdsBack) {
        Owed(int correlationId, ApiKeys api, short version, Buffer local) {
            this(correlationId, api, version, local, List.of(), Map.of());
        }
    }

    static final String FIRST_LANDING_WAIT = "the producer proxy waits for an earlier batch of this producer to land "
            + "on the target cluster first (retriable)";

    static final String TRANSACTIONAL_REFUSAL =
            "transactional producers cannot cross a Strait cutover; use a direct connection";

    private final Vertx vertx;
    private final NetSocket client;
    private final Cluster cluster;
    private final ResponseRewriter rewriter;
    private final ProduceHook hook;
    private final ProxyMetrics metrics;
    private final ProducerIds producerIds;
    private final ConsumerMoves moves;
    private final Consumer<ClientConnection> onClose;
    private final ArrayDeque<Buffer> waiting = new ArrayDeque<>();
    private final ArrayDeque<Owed> owed = new ArrayDeque<>();
    private NetSocket upstream;
    private boolean holding;
    private boolean upstreamFull;
    private boolean clientFull;
    private boolean retiring;
    private boolean closed;
    private int produceWaiting;
    private int heldCounted;

    ClientConnection(
            Vertx vertx,
            NetSocket client,
            Cluster cluster,
            ResponseRewriter rewriter,
            ProduceHook hook,
            ProxyMetrics metrics,
            ProducerIds producerIds,
            ConsumerMoves moves,
            Consumer<ClientConnection> onClose) {
        this.vertx = vertx;
        this.client = client;
        this.cluster = cluster;
        this.rewriter = rewriter;
        this.hook = hook;
        this.metrics = metrics;
        this.producerIds = producerIds;
        this.moves = moves;
        this.onClose = onClose;
    }

    Cluster cluster() {
        return cluster;
    }

    /** Starts reading the client; its frames wait until {@code connecting} gives the upstream socket. */
    void start(Future<NetSocket> connecting) {
        client.handler(new FrameSplitter(KafkaFrames.MAX_FRAME_BYTES, this::fromClient, this::brokenClient));
        client.closeHandler(v -> close());
        client.exceptionHandler(e -> closeOn("client connection failed", e));
        connecting.onComplete(
                socket -> {
                    if (closed) {
                        socket.close();
                        return;
                    }
                    upstream = socket;
                    upstream.handler(
                            new FrameSplitter(KafkaFrames.MAX_FRAME_BYTES, this::fromUpstream, this::brokenUpstream));
                    upstream.closeHandler(v -> close());
                    upstream.exceptionHandler(e -> closeOn("upstream connection failed", e));
                    drainWaiting();
                },
                e -> close());
    }

    private void fromClient(Buffer frame) {
        if (closed || retiring) {
            return;
        }
        metrics.fromClient(frame.length());
        metrics.request(KafkaFrames.apiKey(frame));
        if (upstream == null || holding) {
            enqueue(frame);
        } else {
            process(frame);
        }
    }

    private void enqueue(Buffer frame) {
        waiting.addLast(frame);
        if (KafkaFrames.apiKey(frame) == ApiKeys.PRODUCE.id) {
            produceWaiting++;
        }
        recountHeld();
    }

    /** Forwards one frame, unless it is a Produce request the hook holds: then it heads {@code waiting}. */
    private void process(Buffer frame) {
        short key = KafkaFrames.apiKey(frame);
        short version = KafkaFrames.apiVersion(frame);
        if (!ApiKeys.hasId(key)) {
            forward(frame, null, version, true);
            return;
        }
        ApiKeys api = ApiKeys.forId(key);
        boolean expectsResponse = true;
        if (api == ApiKeys.PRODUCE && version >= ProduceRequestData.LOWEST_SUPPORTED_VERSION) {
            ProduceRequestData request = decodeProduce(frame, version);
            if (request == null) {
                return;
            }
            if (cluster == Cluster.SOURCE) {
                producerIds.sourceProduce(request);
            }
            if (disposition(request, version) == ProduceHook.Disposition.HOLD) {
                hold(frame);
                return;
            }
            // acks=0: the broker sends no response, and the client expects none.
            expectsResponse = request.acks() != 0;
            if (cluster == Cluster.TARGET) {
                toTarget(frame, request, version, expectsResponse);
                return;
            }
        } else if (api == ApiKeys.INIT_PRODUCER_ID) {
            if (refusedTransactional(frame, version)) {
                return;
            }
        } else if (cluster == Cluster.SOURCE && GroupRequests.reads(api)) {
            ConsumerMoves.Action action = groupAction(frame, api, version);
            if (action == ConsumerMoves.Action.HOLD) {
                metrics.consumerRejoinHeld();
                hold(frame);
                return;
            }
            if (action == ConsumerMoves.Action.FENCE) {
                metrics.consumerHeartbeatFenced();
                owed.addLast(new Owed(
                        KafkaFrames.requestCorrelationId(frame),
                        api,
                        version,
                        GroupRequests.fenceAnswer(frame, api, version)));
                deliverLocalAnswers();
                return;
            }
        } else if (api == ApiKeys.SASL_HANDSHAKE && version == 0) {
            LOG.warn("producer proxy: a client sent SaslHandshake v0 (raw SASL tokens follow, not Kafka frames); "
                    + "closing its connection");
            close();
            return;
        }
        forward(frame, api, version, expectsResponse);
    }

    /**
     * A Produce request to the target: answered by the proxy while the first landing guard holds one of its batches
     * back, else forwarded with source topic ids and mapped producer ids replaced by the target's.
     */
    private void toTarget(Buffer frame, ProduceRequestData request, short version, boolean expectsResponse) {
        ProducerIdMapping ids = producerIds.mapping();
        TopicIds topics = producerIds.topicIds();
        boolean byId = version >= ProduceTopicIds.TOPIC_ID_VERSION;
        List<FirstLandings.Key> landing = List.of();
        if (!ids.isEmpty() && expectsResponse) {
            List<FirstLandings.Batch> guarded = guardedBatches(request, byId, ids, topics);
            if (!guarded.isEmpty()) {
                landing = producerIds.firstLandings().admit(guarded, System.nanoTime());
                if (landing == null) {
                    answerProduce(frame, request, version);
                    return;
                }
            }
        }
        boolean patchTopics = byId && request.topicData().stream().anyMatch(t -> topics.targetFor(t.topicId()) != null);
        Map<Uuid, Uuid> back = Map.of();
        if (patchTopics || !ids.isEmpty()) {
            if (!KafkaFrames.sharesBytes(frame)) {
                frame = KafkaFrames.copy(frame);
                request = decodeProduce(frame, version);
                if (request == null) {
                    producerIds.firstLandings().unanswered(landing);
                    return;
                }
            }
            if (patchTopics) {
                try {
                    ByteBuffer body = KafkaFrames.readRequest(frame, ApiKeys.PRODUCE, version)
                            .body()
                            .buffer();
                    back = ProduceTopicIds.patch(body, topics::targetFor);
                    metrics.topicIdsRewritten();
                } catch (RuntimeException e) {
                    LOG.warn(
                            "producer proxy: could not patch the topic ids of a Produce v{} request; closing the "
                                    + "connection: {}",
                            version,
                            ErrorText.describe(e));
                    producerIds.firstLandings().unanswered(landing);
                    close();
                    return;
                }
            }
            if (!ids.isEmpty()) {
                producerIds.targetProduce(request);
            }
        }
        if (expectsResponse) {
            owed.addLast(
                    new Owed(KafkaFrames.requestCorrelationId(frame), ApiKeys.PRODUCE, version, null, landing, back));
        }
        write(frame);
    }

    /** The first batch of every partition whose producer id is a mapped source id, keyed as the target sees it. */
    private static List<FirstLandings.Batch> guardedBatches(
            ProduceRequestData request, boolean byId, ProducerIdMapping ids, TopicIds topics) {
        List<FirstLandings.Batch> guarded = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            Object topicKey;
            if (byId) {
                Uuid target = topics.targetFor(topic.topicId());
                topicKey = target == null ? topic.topicId() : target;
            } else {
                topicKey = topic.name();
            }
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                if (partition.records() instanceof MemoryRecords records) {
                    ByteBuffer bytes = records.buffer();
                    long producerId = BatchHeaders.firstProducerId(bytes);
                    if (producerId >= 0 && ids.isSource(producerId)) {
                        guarded.add(new FirstLandings.Batch(
                                new FirstLandings.Key(ids.targetOrNone(producerId), topicKey, partition.index()),
                                BatchHeaders.firstBaseSequence(bytes)));
                    }
                }
            }
        }
        return guarded;
    }

    /**
     * The proxy's own answer to a Produce request it does not forward: NOT_ENOUGH_REPLICAS for every partition,
     * with the topics as the client named them, delivered in its turn. Retriable in the Java client without an epoch
     * bump or a metadata refresh, and "not persisted" in librdkafka: the client sends the batches again.
     */
    private void answerProduce(Buffer frame, ProduceRequestData request, short version) {
        ProduceResponseData answer = new ProduceResponseData().setThrottleTimeMs(0);
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            ProduceResponseData.TopicProduceResponse response = new ProduceResponseData.TopicProduceResponse()
                    .setName(topic.name())
                    .setTopicId(topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                response.partitionResponses()
                        .add(new ProduceResponseData.PartitionProduceResponse()
                                .setIndex(partition.index())
                                .setErrorCode(Errors.NOT_ENOUGH_REPLICAS.code())
                                .setErrorMessage(FIRST_LANDING_WAIT)
                                .setBaseOffset(-1)
                                .setLogAppendTimeMs(-1)
                                .setLogStartOffset(-1));
            }
            answer.responses().add(response);
        }
        int correlationId = KafkaFrames.requestCorrelationId(frame);
        Buffer out = KafkaFrames.writeResponse(
                new ResponseHeaderData().setCorrelationId(correlationId), answer, ApiKeys.PRODUCE, version);
        owed.addLast(new Owed(correlationId, ApiKeys.PRODUCE, version, out));
        deliverLocalAnswers();
    }

    /**
     * A Produce answer of the target to a request that put first landing keys in flight or had topic ids patched:
     * each key's partition outcome goes to the guard, and the topic ids go back to the source's.
     */
    private Buffer produceAnswered(Owed request, Buffer frame) {
        KafkaFrames.Response in = KafkaFrames.readResponse(frame, ApiKeys.PRODUCE, request.version());
        ProduceResponseData data = new ProduceResponseData(in.body(), request.version());
        boolean byId = request.version() >= ProduceTopicIds.TOPIC_ID_VERSION;
        if (!request.landing().isEmpty()) {
            Map<FirstLandings.Key, Short> errors = new HashMap<>();
            for (ProduceResponseData.TopicProduceResponse topic : data.responses()) {
                Object topicKey = byId ? topic.topicId() : topic.name();
                for (ProduceResponseData.PartitionProduceResponse partition : topic.partitionResponses()) {
                    for (FirstLandings.Key key : request.landing()) {
                        if (key.partition() == partition.index() && key.topic().equals(topicKey)) {
                            errors.put(key, partition.errorCode());
                        }
                    }
                }
            }
            for (FirstLandings.Key key : request.landing()) {
                Short error = errors.get(key);
                boolean landed = error != null
                        && (error == Errors.NONE.code() || error == Errors.DUPLICATE_SEQUENCE_NUMBER.code());
                producerIds.firstLandings().answered(key, landed);
            }
        }
        if (request.topicIdsBack().isEmpty()) {
            return frame;
        }
        for (ProduceResponseData.TopicProduceResponse topic : data.responses()) {
            Uuid source = request.topicIdsBack().get(topic.topicId());
            if (source != null) {
                topic.setTopicId(source);
            }
        }
        return KafkaFrames.writeResponse(in.header(), data, ApiKeys.PRODUCE, request.version());
    }

    private ProduceRequestData decodeProduce(Buffer frame, short version) {
        try {
            return new ProduceRequestData(
                    KafkaFrames.readRequest(frame, ApiKeys.PRODUCE, version).body(), version);
        } catch (RuntimeException e) {
            LOG.warn(
                    "producer proxy: could not decode a Produce v{} request; closing the connection: {}",
                    version,
                    ErrorText.describe(e));
            close();
            return null;
        }
    }

    /**
     * The frame to forward with mapped producer ids replaced: patched in place when the decoded records are views of
     * the frame (the usual case), else in a copy. Null when the copy cannot be decoded (the connection is closed).
     */
    private Buffer withTargetProducerIds(Buffer frame, ProduceRequestData request, short version) {
        if (KafkaFrames.sharesBytes(frame)) {
            producerIds.targetProduce(request);
            return frame;
        }
        Buffer copy = KafkaFrames.copy(frame);
        ProduceRequestData decoded = decodeProduce(copy, version);
        if (decoded != null) {
            producerIds.targetProduce(decoded);
        }
        return decoded == null ? null : copy;
    }

    /**
     * A transactional InitProducerId is answered by the proxy itself, with TRANSACTIONAL_ID_AUTHORIZATION_FAILED
     * (fatal to the client): the transaction state lives on the cluster that issued the id and cannot move with it.
     */
    private boolean refusedTransactional(Buffer frame, short version) {
        InitProducerIdRequestData request;
        try {
            request = new InitProducerIdRequestData(
                    KafkaFrames.readRequest(frame, ApiKeys.INIT_PRODUCER_ID, version)
                            .body(),
                    version);
        } catch (RuntimeException e) {
            LOG.warn(
                    "producer proxy: could not decode an InitProducerId v{} request; closing the connection: {}",
                    version,
                    ErrorText.describe(e));
            close();
            return true;
        }
        if (request.transactionalId() == null) {
            return false;
        }
        metrics.transactionalRefused();
        LOG.warn(
                "producer proxy: refused InitProducerId for transactional.id '{}' ({}): {}",
                request.transactionalId(),
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.name(),
                TRANSACTIONAL_REFUSAL);
        InitProducerIdResponseData refusal = new InitProducerIdResponseData()
                .setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                .setProducerId(-1L)
                .setProducerEpoch((short) -1);
        int correlationId = KafkaFrames.requestCorrelationId(frame);
        Buffer answer = KafkaFrames.writeResponse(
                new ResponseHeaderData().setCorrelationId(correlationId), refusal, ApiKeys.INIT_PRODUCER_ID, version);
        owed.addLast(new Owed(correlationId, ApiKeys.INIT_PRODUCER_ID, version, answer));
        deliverLocalAnswers();
        return true;
    }

    /** What the consumer moves say of a group request; one that cannot be decoded is forwarded as it is. */
    private ConsumerMoves.Action groupAction(Buffer frame, ApiKeys api, short version) {
        try {
            String host =
                    client.remoteAddress() == null ? "" : client.remoteAddress().host();
            return GroupRequests.action(frame, api, version, moves, host);
        } catch (RuntimeException e) {
            LOG.warn(
                    "producer proxy: could not decode a {} v{} request; forwarding it unread (a cutover cannot move "
                            + "this consumer and names it): {}",
                    api,
                    version,
                    ErrorText.describe(e));
            return ConsumerMoves.Action.FORWARD;
        }
    }

    /** Writes the proxy's own answers that head the responses due. */
    private void deliverLocalAnswers() {
        while (!owed.isEmpty() && owed.peekFirst().local() != null && !closed) {
            toClient(owed.pollFirst().local());
        }
    }

    private ProduceHook.Disposition disposition(ProduceRequestData request, short version) {
        try {
            return hook.onProduce(request, version);
        } catch (RuntimeException e) {
            // A broken hook must not stop writes silently: forward, and say so.
            LOG.error("producer proxy: the produce hook failed, forwarding the request: {}", ErrorText.describe(e));
            return ProduceHook.Disposition.FORWARD;
        }
    }

    /** Holds a Produce request, or a group request of a moving consumer group, at the head of {@code waiting}. */
    private void hold(Buffer frame) {
        holding = true;
        waiting.addFirst(frame);
        if (KafkaFrames.apiKey(frame) == ApiKeys.PRODUCE.id) {
            produceWaiting++;
        }
        recountHeld();
        updateReading();
    }

    private void forward(Buffer frame, ApiKeys api, short version, boolean expectsResponse) {
        if (expectsResponse) {
            owed.addLast(new Owed(KafkaFrames.requestCorrelationId(frame), api, version, null));
            if (api == ApiKeys.PRODUCE && cluster == Cluster.SOURCE) {
                metrics.produceOwedBySource(1);
            }
        }
        write(frame);
    }

    private void write(Buffer frame) {
        upstream.write(frame);
        if (!upstreamFull && upstream.writeQueueFull()) {
            upstreamFull = true;
            updateReading();
            upstream.drainHandler(v -> {
                upstreamFull = false;
                updateReading();
            });
        }
    }

    /** Forwards what waits, in order, until it is empty or a Produce request is held again. */
    private void drainWaiting() {
        while (!waiting.isEmpty() && !holding && !closed && !retiring) {
            Buffer frame = waiting.pollFirst();
            if (KafkaFrames.apiKey(frame) == ApiKeys.PRODUCE.id) {
                produceWaiting--;
            }
            process(frame);
        }
        recountHeld();
        updateReading();
    }

    /** Lets the held requests go to this connection's upstream, asking the hook again for each. */
    void release() {
        if (!holding || closed || retiring) {
            return;
        }
        holding = false;
        drainWaiting();
    }

    /**
     * The proxy now forwards to another cluster: read nothing more, drop what was not forwarded (the client resends
     * it on its next connection), and close once the responses already owed have been delivered.
     */
    void retire() {
        if (closed || retiring) {
            return;
        }
        retiring = true;
        waiting.clear();
        produceWaiting = 0;
        recountHeld();
        client.pause();
        if (owed.isEmpty()) {
            close();
        } else {
            vertx.setTimer(RETIRE_MAX_MS, id -> close());
        }
    }

    private void fromUpstream(Buffer frame) {
        if (closed) {
            return;
        }
        metrics.fromUpstream(frame.length());
        Owed next = owed.pollFirst();
        settled(next);
        int correlationId = KafkaFrames.responseCorrelationId(frame);
        if (next == null || next.correlationId() != correlationId) {
            release(next);
            LOG.warn(
                    "producer proxy: {} sent a response with correlation id {} where {} was due; closing the "
                            + "connection",
                    cluster.wireName(),
                    correlationId,
                    next == null ? "none" : next.correlationId());
            close();
            return;
        }
        Buffer out;
        Buffer in = frame;
        try {
            if (next.api() == ApiKeys.INIT_PRODUCER_ID && !issuedIdMayBeDelivered(next.version(), frame)) {
                close();
                return;
            }
            if (next.api() == ApiKeys.PRODUCE
                    && (!next.landing().isEmpty() || !next.topicIdsBack().isEmpty())) {
                in = produceAnswered(next, frame);
            }
            out = next.api() == null ? in : rewriter.rewrite(next.api(), next.version(), in);
        } catch (RuntimeException e) {
            release(next);
            // Passing it on undecoded could hand the client a broker's own address: close instead.
            LOG.warn(
                    "producer proxy: could not decode a {} v{} response from {}; closing the connection: {}",
                    next.api(),
                    next.version(),
                    cluster.wireName(),
                    ErrorText.describe(e));
            close();
            return;
        }
        if (out != in) {
            metrics.rewritten(next.api());
        }
        toClient(out);
        deliverLocalAnswers();
        if (retiring && owed.isEmpty()) {
            close();
        }
    }

    /**
     * Whether an InitProducerId answer may reach the client: not a source id while the switch is under way (the
     * client asks again and, once switched, gets a target id), not a target id equal to a mapped source id (its
     * batches would be rewritten as that producer's; the client asks again and gets another id).
     */
    private boolean issuedIdMayBeDelivered(short version, Buffer frame) {
        InitProducerIdResponseData data = new InitProducerIdResponseData(
                KafkaFrames.readResponse(frame, ApiKeys.INIT_PRODUCER_ID, version)
                        .body(),
                version);
        if (data.errorCode() != Errors.NONE.code()) {
            return true;
        }
        long producerId = data.producerId();
        if (cluster == Cluster.SOURCE) {
            if (producerIds.sourceIssued(producerId)) {
                return true;
            }
            LOG.info(
                    "producer proxy: the switch to the target is under way; source producer id {} is withheld and "
                            + "the client's connection closed (it asks again)",
                    producerId);
            return false;
        }
        if (producerIds.targetIssued(producerId)) {
            return true;
        }
        LOG.warn(
                "producer proxy: the target issued producer id {}, which is a source producer id mapped to {}; the "
                        + "answer is withheld and the client's connection closed (it asks again for another id)",
                producerId,
                producerIds.mapping().targetOrNone(producerId));
        return false;
    }

    private void toClient(Buffer out) {
        client.write(out);
        if (!clientFull && client.writeQueueFull()) {
            clientFull = true;
            upstream.pause();
            client.drainHandler(v -> {
                clientFull = false;
                if (!closed) {
                    upstream.resume();
                }
            });
        }
    }

    private void updateReading() {
        if (closed) {
            return;
        }
        if (holding || upstreamFull || retiring) {
            client.pause();
        } else {
            client.resume();
        }
    }

    private void recountHeld() {
        int now = holding ? produceWaiting : 0;
        metrics.held(now - heldCounted);
        heldCounted = now;
    }

    private void brokenClient(String what) {
        LOG.warn("producer proxy: a client sent {}; closing its connection", what);
        close();
    }

    private void brokenUpstream(String what) {
        LOG.warn("producer proxy: {} sent {}; closing the connection", cluster.wireName(), what);
        close();
    }

    private void closeOn(String what, Throwable e) {
        LOG.debug("producer proxy: {}: {}", what, ErrorText.describe(e));
        close();
    }

    /** A response is in or will never come: a source Produce request no longer counts as owed by the source. */
    private void settled(Owed due) {
        if (due != null && due.local() == null && due.api() == ApiKeys.PRODUCE && cluster == Cluster.SOURCE) {
            metrics.produceOwedBySource(-1);
        }
    }

    /** The first landing keys a request put in flight are no longer in flight: its answer will not come. */
    private void release(Owed due) {
        if (due != null && !due.landing().isEmpty()) {
            producerIds.firstLandings().unanswered(due.landing());
        }
    }

    /** Closes both sides; idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Owed due : owed) {
            settled(due);
            release(due);
        }
        owed.clear();
        waiting.clear();
        produceWaiting = 0;
        holding = false;
        recountHeld();
        client.close();
        if (upstream != null) {
            upstream.close();
        }
        onClose.accept(this);
    }
}

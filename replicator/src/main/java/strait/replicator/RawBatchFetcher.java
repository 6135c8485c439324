package strait.replicator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.DefaultHostResolver;
import org.apache.kafka.clients.FetchSessionHandler;
import org.apache.kafka.clients.Metadata;
import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.internals.ClusterResourceListeners;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ChannelBuilder;
import org.apache.kafka.common.network.NetworkReceive;
import org.apache.kafka.common.network.Selector;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte path's fetch thread: sends {@code FetchRequest}s at {@code read_committed} straight to the source leaders
 * (one incremental fetch session per broker, kafka-clients' {@link NetworkClient} and {@link FetchSessionHandler})
 * and hands each partition's raw v2 batches to the sender as a {@link Chunk} of {@link SourceBatch}es, split by
 * {@link SourceBatches}. The response's buffer is handed over, not copied: a forwarded batch goes to the target from
 * the bytes the source sent.
 *
 * <p>What a {@code KafkaConsumer} with {@code auto.offset.reset=none} does, this does too: a partition whose leader
 * moved ({@code NOT_LEADER_OR_FOLLOWER}, a fenced or unknown leader epoch, ...) is fetched again once the metadata is
 * refreshed; an offset below the log start (retention) stops the partition ({@code offset_out_of_range}), as does a
 * log that diverged from the last fetched batch's leader epoch ({@code source_truncated}: an unclean election), a
 * refused read ({@code authorization}) and a batch failing its CRC ({@code corrupt}). With {@code client.rack} set, a
 * follower the leader names as preferred read replica is fetched from until it errs or the metadata age passes.
 *
 * <p>Invariants: a partition has at most one fetch in flight, and its position moves only when its chunk is queued,
 * so no offset is handed over twice or skipped; a response for an older assignment of a partition is dropped.
 * Backpressure is {@link PartitionFetcher}'s: a partition {@link InFlightLimit} calls full is left out of the fetches
 * until it has drained.
 *
 * <p>Threads: {@link #run} is the fetch thread and owns the client, the sessions and every field below; the
 * {@link SourceFetcher} commands come from any thread through a queue.
 */
final class RawBatchFetcher implements SourceFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(RawBatchFetcher.class);
    private static final long POLL_MS = 100;
    /** Receive buffers kept for reuse at most; about two fetch responses of eight 1 MiB partitions. */
    static final long IDLE_BUFFER_BYTES = 32L * 1024 * 1024;

    private final Time time = Time.SYSTEM;
    private final Metrics clientMetrics = new Metrics();
    private final LogContext logContext;
    private final SourceMetadata metadata;
    private final NetworkClient client;
    /** The network client's receive buffers, recycled once the sender is done with a response's chunks. */
    private final ReceiveBufferPool buffers;
    /** This response's buffers, by array, while {@link #answered} cuts it into chunks. */
    private final Map<byte[], ResponseBuffer> responseBuffers = new IdentityHashMap<>();

    private final MessagePassingQueue<Chunk> toSender;
    private final InFlightLimit inFlight;
    private final ReplicatorMetrics metrics;
    private final StopListener stopper;
    private final int maxWaitMs;
    private final int minBytes;
    private final int maxBytes;
    private final int maxPartitionBytes;
    private final int requestTimeoutMs;
    private final long retryBackoffMs;
    private final long readReplicaMaxAgeMs;
    private final String rack;
    private final MpscUnboundedXaddArrayQueue<Runnable> commands = new MpscUnboundedXaddArrayQueue<>(64);
    private volatile boolean running = true;
    /** The fetch thread, unparked by a command while it waits for its first partitions. */
    private volatile Thread fetchThread;

    // Fetch thread only.
    private final BatchHeader header = new BatchHeader();
    private final Map<TopicPartition, Assigned> assigned = new HashMap<>();
    /** Topics about to be assigned: their leaders are looked up and connected to while nothing is assigned. */
    private final Set<String> prepared = new HashSet<>();

    private final Map<Integer, FetchSessionHandler> sessions = new HashMap<>();
    private final Set<Integer> nodesInFlight = new HashSet<>();
    private final Map<Integer, Long> nodeBackoffUntil = new HashMap<>();

    /** One assigned partition, as the fetch thread tracks it. */
    private static final class Assigned {
        final PartitionState partition;
        final int epoch;
        long position;
        Optional<Integer> lastFetchedEpoch = Optional.empty();
        boolean inFlight;
        boolean paused;
        int readReplica = -1;
        long readReplicaUntil;

        Assigned(PartitionState partition, int epoch, long position) {
            this.partition = partition;
            this.epoch = epoch;
            this.position = position;
        }
    }

    /** Metadata for exactly the assigned topics, never auto-creating one (a deleted source topic stays deleted). */
    private static final class SourceMetadata extends Metadata {
        private final Set<String> topics = new HashSet<>();

        SourceMetadata(ConsumerConfig config, LogContext logContext) {
            super(
                    config.getLong(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG),
                    config.getLong(ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG),
                    config.getLong(ConsumerConfig.METADATA_MAX_AGE_CONFIG),
                    logContext,
                    new ClusterResourceListeners());
        }

        synchronized void topics(Set<String> wanted) {
            if (!topics.equals(wanted)) {
                boolean added = !topics.containsAll(wanted);
                topics.clear();
                topics.addAll(wanted);
                if (added) {
                    requestUpdate(false);
                }
            }
        }

        @Override
        protected synchronized MetadataRequest.Builder newMetadataRequestBuilder() {
            return new MetadataRequest.Builder(new ArrayList<>(topics), false);
        }

        @Override
        protected synchronized boolean retainTopic(String topic, boolean isInternal, long nowMs) {
            return topics.contains(topic);
        }
    }

    RawBatchFetcher(
            Map<String, Object> sourceProps,
            String clientId,
            MessagePassingQueue<Chunk> toSender,
            long maxBytesInFlight,
            ReplicatorMetrics metrics,
            StopListener stopper) {
        Map<String, Object> props = new HashMap<>(sourceProps);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        ConsumerConfig config = new ConsumerConfig(props);
        this.logContext = new LogContext("[strait fetcher " + clientId + "] ");
        this.metadata = new SourceMetadata(config, logContext);
        metadata.bootstrap(ClientUtils.parseAndValidateAddresses(config));
        this.buffers = new ReceiveBufferPool(IDLE_BUFFER_BYTES);
        this.client = networkClient(config, clientId, buffers);
        this.toSender = toSender;
        this.inFlight = new InFlightLimit(maxBytesInFlight);
        this.metrics = metrics;
        metrics.receiveBuffers(clientId, buffers);
        this.stopper = stopper;
        this.maxWaitMs = config.getInt(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
        this.minBytes = config.getInt(ConsumerConfig.FETCH_MIN_BYTES_CONFIG);
        this.maxBytes = config.getInt(ConsumerConfig.FETCH_MAX_BYTES_CONFIG);
        this.maxPartitionBytes = config.getInt(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG);
        this.requestTimeoutMs = config.getInt(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG);
        this.retryBackoffMs = config.getLong(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG);
        this.readReplicaMaxAgeMs = config.getLong(ConsumerConfig.METADATA_MAX_AGE_CONFIG);
        this.rack = config.getString(ConsumerConfig.CLIENT_RACK_CONFIG);
    }

    @Override
    public void assign(PartitionState partition, long position, int epoch) {
        commands.offer(() -> assigned.put(partition.tp, new Assigned(partition, epoch, position)));
        wake();
    }

    @Override
    public void prepare(Set<String> topics) {
        Set<String> copy = Set.copyOf(topics);
        commands.offer(() -> prepared.addAll(copy));
        wake();
    }

    @Override
    public void unassign(TopicPartition tp) {
        commands.offer(() -> assigned.remove(tp));
        wake();
    }

    @Override
    public void close() {
        running = false;
        wake();
    }

    /** Any thread: the fetch thread looks at its commands now, whether it waits in the client or for partitions. */
    private void wake() {
        client.wakeup();
        Thread t = fetchThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void run() {
        fetchThread = Thread.currentThread();
        try {
            while (running) {
                applyCommands();
                if (assigned.isEmpty()) {
                    if (prepared.isEmpty()) {
                        LockSupport.parkNanos(20_000_000L);
                    } else {
                        connectAhead();
                    }
                    continue;
                }
                long now = time.milliseconds();
                resumeDrained();
                sendFetches(now);
                client.poll(POLL_MS, now);
            }
        } catch (RuntimeException e) {
            LOG.error("fetch thread failed: {}", Failures.describe(e), e);
            for (Assigned a : assigned.values()) {
                stopper.stop(a.partition, "fatal", "source", "fetch thread failed: " + Failures.describe(e));
            }
        } finally {
            client.close();
            metadata.close();
            clientMetrics.close();
        }
    }

    private void applyCommands() {
        Runnable command;
        boolean changed = false;
        while ((command = commands.poll()) != null) {
            command.run();
            changed = true;
        }
        if (changed) {
            refreshTopics();
        }
    }

    /**
     * Keeps the metadata requests to the topics still assigned, so a removed topic is no longer asked for; while
     * nothing is assigned, to the prepared ones, which are forgotten once something is.
     */
    private void refreshTopics() {
        Set<String> topics = new HashSet<>();
        assigned.keySet().forEach(tp -> topics.add(tp.topic()));
        if (topics.isEmpty()) {
            topics.addAll(prepared);
        } else {
            prepared.clear();
        }
        metadata.topics(topics);
    }

    /** Nothing assigned yet: looks up the prepared topics' leaders and connects to them (one client poll). */
    private void connectAhead() {
        long now = time.milliseconds();
        Set<Node> leaders = new HashSet<>();
        for (String topic : prepared) {
            metadata.fetch().partitionsForTopic(topic).forEach(p -> {
                if (p.leader() != null && !p.leader().isEmpty()) {
                    leaders.add(p.leader());
                }
            });
        }
        leaders.forEach(node -> client.ready(node, now));
        client.poll(POLL_MS, now);
    }

    private void resumeDrained() {
        for (Assigned a : assigned.values()) {
            PartitionState ps = a.partition;
            if (a.paused && inFlight.drained(ps)) {
                a.paused = false;
            }
        }
    }

    /** One fetch to every ready broker leading (or preferred for reading) a partition that wants data. */
    private void sendFetches(long now) {
        Map<Node, List<Assigned>> byNode = new LinkedHashMap<>();
        for (Assigned a : assigned.values()) {
            if (a.inFlight || a.paused) {
                continue;
            }
            Node node = fetchTarget(a, now);
            if (node == null) {
                metadata.requestUpdate(false);
                continue;
            }
            byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(a);
        }
        Map<String, Uuid> topicIds = metadata.topicIds();
        byNode.forEach((node, partitions) -> {
            if (nodesInFlight.contains(node.id())
                    || nodeBackoffUntil.getOrDefault(node.id(), 0L) > now
                    || !client.ready(node, now)) {
                return;
            }
            FetchSessionHandler session =
                    sessions.computeIfAbsent(node.id(), id -> new FetchSessionHandler(logContext, id));
            FetchSessionHandler.Builder builder = session.newBuilder();
            Map<TopicPartition, Assigned> sent = new HashMap<>();
            for (Assigned a : partitions) {
                TopicPartition tp = a.partition.tp;
                builder.add(
                        tp,
                        new FetchRequest.PartitionData(
                                topicIds.getOrDefault(tp.topic(), Uuid.ZERO_UUID),
                                a.position,
                                -1L,
                                maxPartitionBytes,
                                metadata.currentLeader(tp).epoch,
                                a.lastFetchedEpoch));
                sent.put(tp, a);
            }
            FetchSessionHandler.FetchRequestData data = builder.build();
            short maxVersion = data.canUseTopicIds() ? ApiKeys.FETCH.latestVersion() : (short) 12;
            FetchRequest.Builder request = FetchRequest.Builder.forConsumer(
                            maxVersion, maxWaitMs, minBytes, data.toSend())
                    .isolationLevel(IsolationLevel.READ_COMMITTED)
                    .setMaxBytes(maxBytes)
                    .metadata(data.metadata())
                    .removed(data.toForget())
                    .replaced(data.toReplace())
                    .rackId(rack == null ? "" : rack);
            sent.values().forEach(a -> a.inFlight = true);
            nodesInFlight.add(node.id());
            client.send(
                    client.newClientRequest(
                            node.idString(),
                            request,
                            now,
                            true,
                            requestTimeoutMs + maxWaitMs,
                            response -> answered(node, session, sent, response)),
                    now);
        });
    }

    /** The preferred read replica while it is fresh and known, else the leader; null when no leader is known. */
    private Node fetchTarget(Assigned a, long now) {
        if (a.readReplica >= 0 && now < a.readReplicaUntil) {
            Node replica = metadata.fetch().nodeById(a.readReplica);
            if (replica != null) {
                return replica;
            }
        }
        a.readReplica = -1;
        return metadata.currentLeader(a.partition.tp).leader.orElse(null);
    }

    private void answered(
            Node node, FetchSessionHandler session, Map<TopicPartition, Assigned> sent, ClientResponse response) {
        nodesInFlight.remove(node.id());
        sent.values().forEach(a -> a.inFlight = false);
        long now = time.milliseconds();
        KafkaException failure = null;
        if (response.wasDisconnected() || response.wasTimedOut()) {
            failure = new KafkaException("lost the connection to source broker " + node
                    + (response.wasTimedOut() ? " (fetch timed out)" : ""));
        } else if (response.authenticationException() != null) {
            failure = response.authenticationException();
        } else if (response.versionMismatch() != null) {
            failure = response.versionMismatch();
        }
        if (failure != null) {
            session.handleError(failure);
            retryLater(node, failure, now);
            sent.values().forEach(a -> a.readReplica = -1);
            return;
        }
        FetchResponse body = (FetchResponse) response.responseBody();
        short version = response.requestHeader().apiVersion();
        if (!session.handleResponse(body, version)) {
            // The session was reset or refused (FETCH_SESSION_ID_NOT_FOUND, ...): the next fetch opens a new one.
            if (body.error() == Errors.TOPIC_AUTHORIZATION_FAILED) {
                sent.keySet()
                        .forEach(tp -> stopAndRemove(
                                tp,
                                "authorization",
                                "not authorized to read the source " + "topic (Read on the topic is needed): "
                                        + body.error().message()));
            } else {
                nodeBackoffUntil.put(node.id(), now + retryBackoffMs);
            }
            return;
        }
        Map<TopicPartition, FetchResponseData.PartitionData> parts =
                body.responseData(session.sessionTopicNames(), version);
        try {
            parts.forEach((tp, data) -> {
                Assigned a = sent.get(tp);
                if (a != null && assigned.get(tp) == a) {
                    partitionAnswered(a, data, now);
                }
            });
        } finally {
            // The fetcher's own references: the chunks queued hold theirs until the sender is done with them.
            responseBuffers.values().forEach(ResponseBuffer::release);
            responseBuffers.clear();
        }
    }

    private void retryLater(Node node, KafkaException failure, long now) {
        metadata.requestUpdate(false);
        metrics.error(Failures.kind(failure), "source");
        nodeBackoffUntil.put(node.id(), now + retryBackoffMs);
        LOG.warn("source fetch from {} failed, retrying: {}", node, Failures.describe(failure));
    }

    private void partitionAnswered(Assigned a, FetchResponseData.PartitionData data, long now) {
        TopicPartition tp = a.partition.tp;
        Errors error = Errors.forCode(data.errorCode());
        switch (error) {
            case NONE -> {
                if (FetchResponse.isDivergingEpoch(data)) {
                    FetchResponseData.EpochEndOffset diverging = data.divergingEpoch();
                    stopAndRemove(
                            tp,
                            "source_truncated",
                            "the source log diverged from what this link copied: leader epoch "
                                    + diverging.epoch() + " ends at offset " + diverging.endOffset()
                                    + ", below the fetch position " + a.position
                                    + " (an unclean leader election on the source): records already copied may "
                                    + "no longer exist there, and new ones may take their offsets");
                    return;
                }
                if (FetchResponse.isPreferredReplica(data)) {
                    a.readReplica = data.preferredReadReplica();
                    a.readReplicaUntil = now + readReplicaMaxAgeMs;
                    return;
                }
                handOver(a, ((MemoryRecords) FetchResponse.recordsOrFail(data)).buffer(), data);
            }
            case OFFSET_OUT_OF_RANGE -> {
                if (a.readReplica >= 0) {
                    a.readReplica = -1; // the follower is behind: ask the leader
                } else {
                    stopAndRemove(
                            tp,
                            "offset_out_of_range",
                            "source offset " + a.position
                                    + " is no longer on the source (deleted by retention before it "
                                    + "was replicated, log start " + data.logStartOffset()
                                    + "); records would be skipped");
                }
            }
            case TOPIC_AUTHORIZATION_FAILED ->
                stopAndRemove(
                        tp, "authorization", "not authorized to read the source topic (Read on the topic is needed)");
            case CORRUPT_MESSAGE ->
                stopAndRemove(tp, "corrupt", "the source broker reports a corrupt batch at offset " + a.position);
            case NOT_LEADER_OR_FOLLOWER,
                    REPLICA_NOT_AVAILABLE,
                    KAFKA_STORAGE_ERROR,
                    FENCED_LEADER_EPOCH,
                    UNKNOWN_LEADER_EPOCH,
                    OFFSET_NOT_AVAILABLE,
                    UNKNOWN_TOPIC_OR_PARTITION,
                    UNKNOWN_TOPIC_ID,
                    INCONSISTENT_TOPIC_ID -> {
                // The leader moved or the metadata is stale: fetch again from whoever leads after a refresh.
                a.readReplica = -1;
                metadata.requestUpdate(false);
            }
            default -> {
                a.readReplica = -1;
                metrics.error(Failures.kind(error.exception()), "source");
                LOG.warn("source fetch of {} failed, retrying: {}", tp, error.message());
            }
        }
    }

    private void handOver(Assigned a, ByteBuffer records, FetchResponseData.PartitionData data) {
        TopicPartition tp = a.partition.tp;
        SourceBatches.Split split;
        try {
            split = SourceBatches.split(tp, records, a.position, data.abortedTransactions(), header, metrics::batch);
        } catch (CorruptRecordException e) {
            stopAndRemove(tp, "corrupt", e.getMessage());
            return;
        }
        if (split.batches().isEmpty() && split.nextOffset() <= a.position) {
            return;
        }
        if (split.lastEpoch() >= 0) {
            a.lastFetchedEpoch = Optional.of(split.lastEpoch());
        }
        PartitionState ps = a.partition;
        ps.onEnqueued(firstTimestamp(split), split.records(), split.bytes());
        Chunk chunk = new Chunk(
                ps,
                a.epoch,
                split.batches(),
                split.records(),
                split.nextOffset(),
                split.bytes(),
                responseBuffer(split.batches()));
        // Thread boundary: from here the sender thread owns the chunk and the buffer its batches point into.
        while (!toSender.relaxedOffer(chunk)) {
            if (!running) {
                return;
            }
            LockSupport.parkNanos(200_000L);
        }
        a.position = split.nextOffset();
        if (inFlight.full(ps)) {
            a.paused = true;
        }
    }

    /** A reference to the response buffer the chunk's forwarded batches point into; null when none does. */
    private ResponseBuffer responseBuffer(List<SourceBatch> batches) {
        for (SourceBatch batch : batches) {
            if (batch instanceof SourceBatch.Forward forward && forward.buffer().hasArray()) {
                return responseBuffers
                        .computeIfAbsent(forward.buffer().array(), array -> new ResponseBuffer(array, buffers))
                        .retain();
            }
        }
        return null;
    }

    /**
     * The client {@code ClientUtils.createNetworkClient} builds, with the receive buffers from {@code pool} instead of
     * a fresh allocation per response.
     */
    private NetworkClient networkClient(ConsumerConfig config, String clientId, ReceiveBufferPool pool) {
        ChannelBuilder channelBuilder = ClientUtils.createChannelBuilder(config, time, logContext);
        Selector selector = null;
        try {
            selector = new Selector(
                    NetworkReceive.UNLIMITED,
                    config.getLong(CommonClientConfigs.CONNECTIONS_MAX_IDLE_MS_CONFIG),
                    clientMetrics,
                    time,
                    "strait-fetcher",
                    Map.of(),
                    true,
                    false,
                    channelBuilder,
                    pool,
                    logContext);
            return new NetworkClient(
                    null,
                    metadata,
                    selector,
                    clientId,
                    1,
                    config.getLong(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG),
                    config.getLong(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG),
                    config.getInt(CommonClientConfigs.SEND_BUFFER_CONFIG),
                    config.getInt(CommonClientConfigs.RECEIVE_BUFFER_CONFIG),
                    config.getInt(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG),
                    config.getLong(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG),
                    config.getLong(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG),
                    time,
                    true,
                    new ApiVersions(),
                    null,
                    logContext,
                    new DefaultHostResolver(),
                    null,
                    config.getLong(CommonClientConfigs.METADATA_RECOVERY_REBOOTSTRAP_TRIGGER_MS_CONFIG),
                    MetadataRecoveryStrategy.forName(
                            config.getString(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG)));
        } catch (RuntimeException e) {
            Utils.closeQuietly(selector, "Selector");
            Utils.closeQuietly(channelBuilder, "ChannelBuilder");
            throw e;
        }
    }

    private static long firstTimestamp(SourceBatches.Split split) {
        if (split.batches().isEmpty()) {
            return -1;
        }
        SourceBatch first = split.batches().get(0);
        return first instanceof SourceBatch.Forward f
                ? BatchHeader.baseTimestamp(f.buffer(), f.at())
                : ((SourceBatch.Encode) first).records().get(0).timestamp();
    }

    private void stopAndRemove(TopicPartition tp, String kind, String reason) {
        Assigned a = assigned.remove(tp);
        if (a != null) {
            stopper.stop(a.partition, kind, "source", reason);
            refreshTopics();
        }
    }
}

package strait.offsets;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.config.TopicScope;

/**
 * Keeps the offset maps on the target, in the compacted topic {@code <link.name>.offsets.internal}, so a restart or
 * another instance rebuilds them exactly (layout in {@link OffsetRecords}). Each run is its own key, so a persist
 * sends only what changed since the last one: new runs, the grown tail run, the position.
 *
 * <p>Threads: {@link #persist} is called from each partition's ack path (one thread per partition, several
 * partitions may persist concurrently); it never waits for the broker: sends are asynchronous (idempotent producer,
 * {@code acks=all}). A failed send marks the partition for a full re-send on its next persist. {@link #load} and
 * {@link #flush} are called by the owner (start-up, shutdown), not on the ack path. The topic is described or created
 * on {@link #open}'s own thread; each of these waits for it before its first send or read.
 */
public final class OffsetMapStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetMapStore.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LOAD_STALL_TIMEOUT = Duration.ofSeconds(60);

    private final String topic;
    private final Map<String, Object> clientProps;
    private final KafkaProducer<byte[], byte[]> producer;
    /** Written by the opener thread before it completes {@link #partitionCount}, read after it. */
    private boolean createdTopic;
    /** The topic's partition count once it is known to exist (described, or created): see {@link #open}. */
    private final CompletableFuture<Integer> partitionCount;

    private final ConcurrentHashMap<TopicPartition, Frontier> frontiers = new ConcurrentHashMap<>();
    private final Set<TopicPartition> resend = ConcurrentHashMap.newKeySet();
    private final AtomicLong failedSends = new AtomicLong();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    /** The source topic ids read by {@link #load}. */
    private final Map<String, Uuid> loadedTopicIds = new HashMap<>();
    /** The first writer record {@link #load} met; null when there was none. */
    private WriterId loadedWriter;

    private OffsetMapStore(String topic, Map<String, Object> clientProps, CompletableFuture<Integer> partitionCount) {
        this.topic = topic;
        this.clientProps = clientProps;
        this.partitionCount = partitionCount;
        this.producer =
                new KafkaProducer<>(producerProps(clientProps), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The offsets topic of a link. */
    public static String topicName(String linkName) {
        return TopicScope.offsetsTopic(linkName);
    }

    /**
     * Opens the store of {@code linkName} on the target, creating its compacted topic (1 partition, the target's
     * default replication factor) when missing. The topic is described (and created when missing) on a thread of its
     * own, {@code strait-offsets-open}, so this returns at once and the start-up goes on meanwhile (on a new link,
     * creating the topic is among its slowest steps); every call that needs the topic waits for it first, which at
     * start-up is {@link #load}.
     *
     * <p>Failures to describe or create the topic are thrown by that first call, as {@link OffsetStoreException}.
     */
    public static OffsetMapStore open(Map<String, Object> targetClientProps, String linkName) {
        String topic = topicName(linkName);
        Map<String, Object> props = Map.copyOf(targetClientProps);
        CompletableFuture<Integer> partitions = new CompletableFuture<>();
        OffsetMapStore store = new OffsetMapStore(topic, props, partitions);
        Thread opener = new Thread(
                () -> {
                    try (Admin admin = Admin.create(props)) {
                        partitions.complete(store.ensureTopic(admin));
                    } catch (Throwable e) {
                        partitions.completeExceptionally(e);
                        return;
                    }
                    store.warmUp();
                },
                "strait-offsets-open");
        opener.setDaemon(true);
        opener.start();
        return store;
    }

    /**
     * Opener thread: fetches the producer's metadata for the topic now (its producer id is asked for as it starts),
     * so the first persist, the link's writer record on a new link, is not the one to wait for them.
     */
    private void warmUp() {
        try {
            producer.partitionsFor(topic);
        } catch (RuntimeException e) {
            LOG.debug("warming up the offsets producer failed (the first send will retry): {}", describe(e));
        }
    }

    /**
     * Whether {@link #open} created the topic: the link's first start (or its offsets topic was deleted), so it has
     * no writer yet. Waits for the topic like every call that needs it.
     */
    public boolean createdTopic() {
        partitions();
        return createdTopic;
    }

    /** The topic's partition count, once it exists; waits for {@link #open}'s thread. */
    private int partitions() {
        try {
            return partitionCount.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OffsetStoreException("interrupted while opening " + topic, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String message = cause instanceof OffsetStoreException
                    ? cause.getMessage()
                    : "cannot open " + topic + " on the target: " + describe(cause);
            throw new OffsetStoreException(message, cause);
        }
    }

    /** Opener thread: the topic's partition count, once it exists; notes whether it had to be created. */
    private int ensureTopic(Admin admin) throws InterruptedException {
        // Described first: after the link's first start the topic exists, and asking to create it costs a round trip
        // to the controller for an error.
        Optional<Integer> known = describedPartitions(admin, topic, clientProps.get("bootstrap.servers"));
        if (known.isPresent()) {
            return known.get();
        }
        NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                .configs(Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0"));
        try {
            admin.createTopics(List.of(newTopic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            createdTopic = true;
            LOG.info("created offsets topic {} on the target", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new OffsetStoreException(
                        "cannot create " + topic + " on the target: " + describe(e.getCause()), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new OffsetStoreException(
                    "timed out creating " + topic + " on the target at " + clientProps.get("bootstrap.servers")
                            + " (target.bootstrap.servers): no broker answered within " + ADMIN_TIMEOUT.toSeconds()
                            + " s",
                    e);
        }
        // A topic just created is not known to every broker at once: ask again, soon at first, until the deadline.
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        long backoffMs = 5;
        while (true) {
            Optional<Integer> created = describedPartitions(admin, topic, clientProps.get("bootstrap.servers"));
            if (created.isPresent()) {
                return created.get();
            }
            if (System.nanoTime() > deadline) {
                throw new OffsetStoreException("cannot describe " + topic + " on the target: still unknown "
                        + ADMIN_TIMEOUT.toSeconds() + " s after it was created");
            }
            Thread.sleep(backoffMs);
            backoffMs = Math.min(100, backoffMs * 2);
        }
    }

    /** The topic's partition count; empty when the target does not know it (yet). */
    private static Optional<Integer> describedPartitions(Admin admin, String topic, Object bootstrap)
            throws InterruptedException {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic);
            return Optional.of(description.partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw new OffsetStoreException("cannot describe " + topic + " on the target: " + describe(e), e);
        } catch (TimeoutException e) {
            throw new OffsetStoreException(
                    "timed out describing " + topic + " on the target at " + bootstrap
                            + " (target.bootstrap.servers): no broker answered within " + ADMIN_TIMEOUT.toSeconds()
                            + " s",
                    e);
        }
    }

    private static Map<String, Object> producerProps(Map<String, Object> client) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "strait-offsets-store");
        return props;
    }

    /** The topic this store writes. */
    public String topic() {
        return topic;
    }

    /**
     * Rebuilds every persisted map, exactly as last persisted (the latest record of each key wins). Deletes the
     * records of runs that were trimmed below a map's oldest offset. Called by the owner at start-up.
     *
     * @throws OffsetStoreException when the topic cannot be read or holds records that break a map's invariants
     */
    public Map<TopicPartition, OffsetMap> load() {
        Map<TopicPartition, MapRebuilder> builders = readAll();
        Map<TopicPartition, OffsetMap> maps = new HashMap<>();
        builders.forEach((tp, builder) -> {
            MapRebuilder.Rebuilt rebuilt;
            try {
                rebuilt = builder.build();
            } catch (IllegalArgumentException e) {
                throw new OffsetStoreException("persisted map of " + tp + " is inconsistent: " + e.getMessage(), e);
            }
            maps.put(tp, rebuilt.map());
            for (long stale : rebuilt.staleRunStarts()) {
                send(tp, OffsetRecords.runKey(tp, stale), null);
            }
            frontiers.put(tp, Frontier.persisted(rebuilt.map()));
        });
        LOG.info("rebuilt {} offset maps from {}", maps.size(), topic);
        return maps;
    }

    private Map<TopicPartition, MapRebuilder> readAll() {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20_000);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // Read up to a known end: a fetch there must return at once, not after the default 500 ms wait.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "strait-offsets-loader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<TopicPartition, MapRebuilder> builders = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new java.util.ArrayList<>();
            int count = partitions();
            for (int p = 0; p < count; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, ADMIN_TIMEOUT);
            long lastProgress = System.nanoTime();
            long[] value = new long[3];
            while (!reached(consumer, end)) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > LOAD_STALL_TIMEOUT.toNanos()) {
                    throw new OffsetStoreException(
                            "reading " + topic + " made no progress for " + LOAD_STALL_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    apply(builders, record, value);
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new OffsetStoreException("cannot read " + topic + " on the target: " + describe(e), e);
        }
        return builders;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void apply(
            Map<TopicPartition, MapRebuilder> builders, ConsumerRecord<byte[], byte[]> record, long[] value) {
        OffsetRecords.Key key;
        try {
            key = OffsetRecords.decodeKey(record.key());
        } catch (IllegalArgumentException e) {
            throw new OffsetStoreException(
                    "unreadable record at " + topic + "@" + record.offset() + ": " + e.getMessage(), e);
        }
        if (key.kind() == OffsetRecords.WRITER) {
            if (loadedWriter == null && record.value() != null) {
                loadedWriter = OffsetRecords.decodeWriter(record.value());
            }
            return;
        }
        if (key.kind() == OffsetRecords.TOPIC) {
            if (record.value() != null) {
                loadedTopicIds.put(key.tp().topic(), OffsetRecords.decodeTopicId(record.value()));
            }
            return;
        }
        MapRebuilder builder = builders.computeIfAbsent(key.tp(), tp -> new MapRebuilder());
        if (key.kind() == OffsetRecords.RUN) {
            if (record.value() == null) {
                builder.run(key.sourceStart(), 0, -1);
            } else {
                OffsetRecords.decodeValue(record.value(), value, 2);
                builder.run(key.sourceStart(), value[0], value[1]);
            }
        } else if (record.value() != null) {
            OffsetRecords.decodeValue(record.value(), value, 3);
            builder.position(value[0], value[1], value[2]);
        }
    }

    /**
     * Sends what changed in {@code map} since its last persist: called from the partition's ack path (its writer
     * thread), after the target acked the records the map now holds. Does not wait for the broker.
     */
    public void persist(TopicPartition tp, OffsetMap map) {
        partitions(); // never a send before the topic exists: the broker would create it with its defaults
        Frontier frontier = frontiers.get(tp);
        if (frontier == null || frontier.map != map) {
            if (frontier != null) {
                deleteRuns(tp, frontier.map);
            }
            frontier = new Frontier(map);
            frontiers.put(tp, frontier);
        }
        if (resend.remove(tp)) {
            LOG.info("re-sending the whole offset map of {} after a failed send", tp);
            frontier.reset();
        }
        int n = map.writerRunCount();
        for (int i = frontier.firstUnsent(map, n); i < n; i++) {
            long start = map.runField(i, 0);
            long length = map.runField(i, 2);
            send(tp, OffsetRecords.runKey(tp, start), OffsetRecords.runValue(map.runField(i, 1), length));
        }
        if (n > 0) {
            frontier.runStart = map.runField(n - 1, 0);
            frontier.runLength = map.runField(n - 1, 2);
        }
        long oldest = map.oldestTranslatable();
        long replicated = map.replicatedPosition();
        long target = map.targetPosition();
        if (oldest != frontier.oldest || replicated != frontier.replicated || target != frontier.target) {
            send(tp, OffsetRecords.positionKey(tp), OffsetRecords.positionValue(oldest, replicated, target));
            frontier.oldest = oldest;
            frontier.replicated = replicated;
            frontier.target = target;
        }
    }

    /**
     * The partition got a new map (the replicator replaced the loaded one, say after the topic was recreated): the old
     * map's runs are deleted before the new ones are written, so a rebuild never mixes the two.
     */
    private void deleteRuns(TopicPartition tp, OffsetMap old) {
        long[] runs = old.runsCopy();
        LOG.info("offset map of {} replaced: deleting the {} runs of the previous one", tp, runs.length / 3);
        for (int i = 0; i < runs.length; i += 3) {
            send(tp, OffsetRecords.runKey(tp, runs[i]), null);
        }
    }

    private void send(TopicPartition tp, byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, 0, key, value), (metadata, error) -> {
            if (error != null) {
                resend.add(tp);
                if (failedSends.getAndIncrement() == 0 || !describe(error).equals(lastFailure.get())) {
                    LOG.warn("persisting the offset map of {} failed, will re-send it: {}", tp, describe(error));
                }
                lastFailure.set(describe(error));
            }
        });
    }

    /**
     * The id of the source topic each topic's maps were built from, as {@link #load} read them; topics persisted by
     * versions that did not record it are absent. Called by the owner after {@link #load}.
     */
    public Map<String, Uuid> sourceTopicIds() {
        return Map.copyOf(loadedTopicIds);
    }

    /** Records the id of the source topic whose maps this link builds under that name. Does not wait. */
    public void persistSourceTopicId(String topic, Uuid id) {
        partitions();
        producer.send(
                new ProducerRecord<>(this.topic, 0, OffsetRecords.topicKey(topic), OffsetRecords.topicValue(id)),
                (metadata, error) -> {
                    if (error != null) {
                        LOG.warn(
                                "persisting the source topic id of {} failed (a recreated topic will not be "
                                        + "recognised after a restart): {}",
                                topic,
                                describe(error));
                    }
                });
    }

    /**
     * The link's writer: the first one persisted, as {@link #load} read it; empty when none was. Called by the owner
     * after {@link #load}.
     */
    public Optional<WriterId> writer() {
        return Optional.ofNullable(loadedWriter);
    }

    /**
     * Records a producer id allocated for the link and waits for the ack. It becomes the link's writer only if no
     * other was persisted before it: the owner {@link #load}s again, then uses {@link #writer}.
     *
     * @throws OffsetStoreException when the target does not take the record
     */
    public void persistWriter(WriterId writer) {
        partitions();
        try {
            producer.send(new ProducerRecord<>(
                            topic, 0, OffsetRecords.writerKey(writer), OffsetRecords.writerValue(writer)))
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OffsetStoreException("interrupted persisting the link's writer id", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new OffsetStoreException("cannot persist the link's writer id to " + topic + ": " + describe(e), e);
        }
    }

    /**
     * Waits until every send so far is acknowledged. Called by the owner (shutdown, tests), not on the ack path.
     *
     * @throws OffsetStoreException when a send failed since the store opened
     */
    public void flush() {
        producer.flush();
        if (!resend.isEmpty()) {
            throw new OffsetStoreException(failedSends.get() + " offset record sends failed, last: " + lastFailure.get()
                    + "; partitions " + resend + " are re-sent on their next persist");
        }
    }

    /** Sends that failed since the store opened. Any thread. */
    public long failedSends() {
        return failedSends.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    private static String describe(Throwable error) {
        return ErrorText.describe(error);
    }

    /** What of one partition's map was last sent. Touched only by that partition's writer thread. */
    private static final class Frontier {
        final OffsetMap map;
        long runStart = -1;
        long runLength;
        long oldest = -1;
        long replicated = -1;
        long target = -1;

        Frontier(OffsetMap map) {
            this.map = map;
        }

        static Frontier persisted(OffsetMap map) {
            Frontier f = new Frontier(map);
            int n = map.writerRunCount();
            if (n > 0) {
                f.runStart = map.runField(n - 1, 0);
                f.runLength = map.runField(n - 1, 2);
            }
            f.oldest = map.oldestTranslatable();
            f.replicated = map.replicatedPosition();
            f.target = map.targetPosition();
            return f;
        }

        void reset() {
            runStart = -1;
            oldest = -1;
            replicated = -1;
            target = -1;
        }

        /** Index of the first run not yet sent as it is now. */
        int firstUnsent(OffsetMap m, int n) {
            if (runStart < 0) {
                return 0;
            }
            int lo = 0;
            int hi = n - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (m.runField(mid, 0) < runStart) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (lo < n && m.runField(lo, 0) == runStart && m.runField(lo, 2) == runLength) {
                return lo + 1;
            }
            return lo;
        }
    }
}

package strait.proxy.internal;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.proxy.ProducerIdMapping;

/**
 * The producer ids crossing the switch: before it, which source producer ids clients use (from the batches of
 * Produce requests to the source, forwarded or held, and from the source's InitProducerId answers); after it, the
 * rewrite of mapped ids in Produce requests to the target and the guard against a target-issued id that equals a
 * mapped source id (that client's batches would be rewritten as another producer's).
 *
 * <p>The record is bounded ({@link #DEFAULT_CAPACITY} ids): the id seen longest ago is forgotten first, counted in
 * {@code strait_proxy_producer_ids_evicted} and warned about at most once a minute; a forgotten id that writes again
 * before the switch is recorded again.
 *
 * <p>While a switch is under way ({@link #freeze}), an InitProducerId answer of the source is withheld (the caller
 * closes that connection; the client asks again, and after the switch it asks the target), so every source id a
 * client holds at the switch was recorded before the last allocation round.
 *
 * <p>Threads: the record and the freeze flag are confined to the proxy's event loop; the mapping is an immutable
 * value published through a volatile field, installed from any thread ({@link #install} is synchronized).
 */
public final class ProducerIds {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerIds.class);
    public static final int DEFAULT_CAPACITY = 100_000;
    private static final long EVICTION_WARN_INTERVAL_NS = 60_000_000_000L;

    private final int capacity;
    private final ProxyMetrics metrics;
    private final LinkedHashMap<Long, Boolean> recorded;
    private volatile ProducerIdMapping mapping = ProducerIdMapping.empty();
    private final TopicIds topicIds = new TopicIds();
    private final FirstLandings firstLandings;
    private boolean frozen;
    private long lastRecorded = -1;
    private long evictedSinceWarn;
    private long lastEvictionWarn = System.nanoTime() - EVICTION_WARN_INTERVAL_NS;

    public ProducerIds(int capacity, ProxyMetrics metrics) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.metrics = metrics;
        this.firstLandings = new FirstLandings(metrics);
        this.recorded = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                if (size() <= ProducerIds.this.capacity) {
                    return false;
                }
                evicted(eldest.getKey());
                return true;
            }
        };
    }

    /** Topic ids per cluster (event loop). */
    public TopicIds topicIds() {
        return topicIds;
    }

    /** The first landing guard of crossed producers on the target (event loop). */
    FirstLandings firstLandings() {
        return firstLandings;
    }

    // --- before the switch (event loop)

    /** Records the producer id of every batch of a Produce request going to the source. Event loop. */
    void sourceProduce(ProduceRequestData request) {
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                if (partition.records() instanceof MemoryRecords records) {
                    BatchHeaders.forEachProducerId(records.buffer(), this::record);
                }
            }
        }
    }

    /**
     * The source issued {@code producerId} to a client. Event loop.
     *
     * @return whether to deliver the answer; {@code false} while a switch is under way
     */
    boolean sourceIssued(long producerId) {
        if (frozen) {
            metrics.withheldSourceProducerId();
            return false;
        }
        record(producerId);
        return true;
    }

    private void record(long producerId) {
        if (producerId < 0 || producerId == lastRecorded) {
            return;
        }
        lastRecorded = producerId;
        recorded.put(producerId, Boolean.TRUE);
        metrics.recordedProducerIds(recorded.size());
    }

    private void evicted(long producerId) {
        metrics.evictedProducerId();
        evictedSinceWarn++;
        long now = System.nanoTime();
        if (now - lastEvictionWarn >= EVICTION_WARN_INTERVAL_NS) {
            LOG.warn(
                    "producer proxy: {} source producer ids seen, more than the {} it keeps; {} forgotten since the "
                            + "last warning (the latest {}). A forgotten producer that does not write again before "
                            + "the switch is not mapped and reaches the target under its source id",
                    recorded.size(),
                    capacity,
                    evictedSinceWarn,
                    producerId);
            evictedSinceWarn = 0;
            lastEvictionWarn = now;
        }
    }

    /** Source producer ids recorded and not mapped yet, to allocate target ids for. Event loop. */
    public long[] unmapped() {
        ProducerIdMapping now = mapping;
        return recorded.keySet().stream()
                .mapToLong(Long::longValue)
                .filter(id -> !now.isSource(id))
                .toArray();
    }

    /** A switch is under way: source InitProducerId answers are withheld until {@link #thaw}. Event loop. */
    public void freeze() {
        frozen = true;
    }

    /** The switch did not happen: source InitProducerId answers flow again. Event loop. */
    public void thaw() {
        frozen = false;
    }

    // --- the mapping (any thread)

    /** Adds {@code more} to the mapping in use. Any thread. */
    public synchronized ProducerIdMapping install(ProducerIdMapping more) {
        ProducerIdMapping merged = mapping.with(more);
        mapping = merged;
        metrics.mappedProducerIds(merged.size());
        return merged;
    }

    /** The mapping in use. Any thread. */
    public ProducerIdMapping mapping() {
        return mapping;
    }

    // --- after the switch (event loop)

    /**
     * Rewrites, in place, the mapped producer ids of a Produce request going to the target. Event loop.
     *
     * @return how many batches were patched
     */
    int targetProduce(ProduceRequestData request) {
        ProducerIdMapping now = mapping;
        if (now.isEmpty()) {
            return 0;
        }
        int patched = 0;
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                if (partition.records() instanceof MemoryRecords records) {
                    ByteBuffer bytes = records.buffer();
                    patched += BatchHeaders.rewriteProducerIds(bytes, now::targetOrNone);
                }
            }
        }
        if (patched > 0) {
            metrics.rewrittenBatches(patched);
        }
        return patched;
    }

    /**
     * The target issued {@code producerId} to a client. Event loop.
     *
     * @return whether to deliver the answer; {@code false} when the id is a mapped source id (a collision)
     */
    boolean targetIssued(long producerId) {
        if (producerId >= 0 && mapping.isSource(producerId)) {
            metrics.producerIdCollision();
            return false;
        }
        return true;
    }
}

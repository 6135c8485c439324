package strait.proxy.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.protocol.ApiKeys;
import strait.proxy.Cluster;

/**
 * The proxy's meters, all {@code strait_proxy_*}: open and accepted client connections, requests by api, produce
 * requests held, bytes each way, responses rewritten by api, upstream connections that failed, brokers left out for
 * want of a port; and the producer ids crossing the switch (recorded, evicted, mapped, batches rewritten, collisions
 * refused, source ids withheld while switching) and the transactional producers refused.
 *
 * <p>Thread-safe: updated on the event loop, read by the metrics scrape.
 */
public final class ProxyMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger owedBySource = new AtomicInteger();
    private final Counter accepted;
    private final Counter bytesFromClients;
    private final Counter bytesFromUpstream;
    private final Counter unmapped;
    private final AtomicInteger recordedIds = new AtomicInteger();
    private final AtomicInteger mappedIds = new AtomicInteger();
    private final Counter evictedIds;
    private final Counter rewrittenBatches;
    private final Counter collisions;
    private final Counter withheldIds;
    private final Counter transactionalRefused;
    private final Counter consumerHeartbeatsFenced;
    private final Counter consumerRejoinsHeld;
    private final Counter firstLandingDeferred;
    private final Counter topicIdsRewritten;
    private final ConcurrentHashMap<Short, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Cluster, Counter> connectFailures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ApiKeys, Counter> rewritten = new ConcurrentHashMap<>();

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        add(Gauge.builder("strait.proxy.connections", open, AtomicInteger::get)
                .description("Client connections open through the producer proxy")
                .register(registry));
        add(Gauge.builder("strait.proxy.held.requests", held, AtomicInteger::get)
                .description("Produce requests the proxy holds (fenced), waiting for a release")
                .register(registry));
        add(Gauge.builder("strait.proxy.source.produce.owed", owedBySource, AtomicInteger::get)
                .description("Produce requests forwarded to the source whose responses are still due")
                .register(registry));
        accepted = add(Counter.builder("strait.proxy.connections.accepted")
                .description("Client connections the producer proxy accepted")
                .register(registry));
        bytesFromClients = add(Counter.builder("strait.proxy.bytes")
                .tag("direction", "from_client")
                .baseUnit("bytes")
                .description("Bytes the producer proxy read, by direction")
                .register(registry));
        bytesFromUpstream = add(Counter.builder("strait.proxy.bytes")
                .tag("direction", "from_upstream")
                .baseUnit("bytes")
                .description("Bytes the producer proxy read, by direction")
                .register(registry));
        unmapped = add(Counter.builder("strait.proxy.unmapped.brokers")
                .description("Broker addresses left out of a response: the node id has no proxy port")
                .register(registry));
        add(Gauge.builder("strait.proxy.producer.ids.recorded", recordedIds, AtomicInteger::get)
                .description("Source producer ids the proxy has seen and would map at the switch")
                .register(registry));
        add(Gauge.builder("strait.proxy.producer.ids.mapped", mappedIds, AtomicInteger::get)
                .description("Source producer ids with a target producer id standing in for them")
                .register(registry));
        evictedIds = add(Counter.builder("strait.proxy.producer.ids.evicted")
                .description("Source producer ids forgotten (the oldest) because the record of them was full")
                .register(registry));
        rewrittenBatches = add(Counter.builder("strait.proxy.producer.ids.rewritten.batches")
                .description("Record batches sent to the target with their source producer id replaced")
                .register(registry));
        collisions = add(Counter.builder("strait.proxy.producer.ids.collisions")
                .description("InitProducerId answers of the target withheld: the id it issued is a mapped source id")
                .register(registry));
        withheldIds = add(Counter.builder("strait.proxy.producer.ids.withheld")
                .description("InitProducerId answers of the source withheld because the switch was under way")
                .register(registry));
        firstLandingDeferred = add(Counter.builder("strait.proxy.first.landing.deferred")
                .description("Produce requests answered NOT_ENOUGH_REPLICAS by the proxy: a crossed producer's "
                        + "partition has no state on the target yet and another of its batches must land first")
                .register(registry));
        topicIdsRewritten = add(Counter.builder("strait.proxy.topic.ids.rewritten")
                .description("Produce requests sent to the target with source topic ids replaced by the target's")
                .register(registry));
        transactionalRefused = add(Counter.builder("strait.proxy.transactional.refused")
                .description("InitProducerId requests with a transactional id the proxy refused")
                .register(registry));
        consumerHeartbeatsFenced = add(Counter.builder("strait.proxy.consumer.heartbeats.fenced")
                .description("Heartbeats of a moving consumer group's members the proxy answered with the error that "
                        + "makes them let go of their partitions (cutover step MOVING_CONSUMERS)")
                .register(registry));
        consumerRejoinsHeld = add(Counter.builder("strait.proxy.consumer.rejoins.held")
                .description("Group requests of a moving consumer group's members the proxy held until the switch or "
                        + "an abort")
                .register(registry));
    }

    private <M extends Meter> M add(M meter) {
        synchronized (meters) {
            meters.add(meter);
        }
        return meter;
    }

    void connectionOpened() {
        accepted.increment();
        open.incrementAndGet();
    }

    void connectionClosed() {
        open.decrementAndGet();
    }

    /** Adds {@code delta} (may be negative) to the produce requests held. */
    void held(int delta) {
        if (delta != 0) {
            held.addAndGet(delta);
        }
    }

    public int heldRequests() {
        return held.get();
    }

    /** Adds {@code delta} (may be negative) to the Produce requests whose responses the source still owes. */
    void produceOwedBySource(int delta) {
        owedBySource.addAndGet(delta);
    }

    public int produceOwedBySource() {
        return owedBySource.get();
    }

    void request(short apiKey) {
        requests.computeIfAbsent(apiKey, this::requestCounter).increment();
    }

    private Counter requestCounter(short apiKey) {
        String api = ApiKeys.hasId(apiKey) ? ApiKeys.forId(apiKey).name().toLowerCase(Locale.ROOT) : "unknown";
        return add(Counter.builder("strait.proxy.requests")
                .tag("api", api)
                .description("Requests clients sent through the producer proxy, by api")
                .register(registry));
    }

    void fromClient(int bytes) {
        bytesFromClients.increment(bytes);
    }

    void fromUpstream(int bytes) {
        bytesFromUpstream.increment(bytes);
    }

    void connectFailed(Cluster cluster) {
        connectFailures
                .computeIfAbsent(
                        cluster,
                        c -> add(Counter.builder("strait.proxy.upstream.connect.failures")
                                .tag("cluster", c.wireName())
                                .description("Upstream broker connections the producer proxy could not open")
                                .register(registry)))
                .increment();
    }

    /** A response of {@code api} was decoded and written again with proxy addresses (or narrowed versions). */
    void rewritten(ApiKeys api) {
        rewritten
                .computeIfAbsent(
                        api,
                        a -> add(Counter.builder("strait.proxy.rewritten.responses")
                                .tag("api", a.name().toLowerCase(Locale.ROOT))
                                .description("Responses the producer proxy rewrote (addresses, api versions), by api")
                                .register(registry)))
                .increment();
    }

    void recordedProducerIds(int now) {
        recordedIds.set(now);
    }

    void mappedProducerIds(int now) {
        mappedIds.set(now);
    }

    void evictedProducerId() {
        evictedIds.increment();
    }

    void rewrittenBatches(int count) {
        rewrittenBatches.increment(count);
    }

    void producerIdCollision() {
        collisions.increment();
    }

    void withheldSourceProducerId() {
        withheldIds.increment();
    }

    void firstLandingDeferred() {
        firstLandingDeferred.increment();
    }

    void topicIdsRewritten() {
        topicIdsRewritten.increment();
    }

    void transactionalRefused() {
        transactionalRefused.increment();
    }

    void consumerHeartbeatFenced() {
        consumerHeartbeatsFenced.increment();
    }

    void consumerRejoinHeld() {
        consumerRejoinsHeld.increment();
    }

    /** The counter for brokers left out; handed to each cluster's addresses. */
    public void unmappedBroker() {
        unmapped.increment();
    }

    @Override
    public void close() {
        synchronized (meters) {
            meters.forEach(registry::remove);
            meters.clear();
        }
    }
}

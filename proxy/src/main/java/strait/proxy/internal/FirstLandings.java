package strait.proxy.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first landing guard: after the switch, a crossed producer (its source id mapped to a fresh target id) has no
 * state on the target, and the target accepts the first batch of such an id on a partition at any sequence. If a
 * later batch lands first (its earlier one was answered UNKNOWN_TOPIC_ID or NOT_LEADER_OR_FOLLOWER and is being
 * retried, or is still on its way over another connection), the target's state starts past the earlier one, whose
 * retry is then OUT_OF_ORDER_SEQUENCE_NUMBER for good: a failed send, and a gap.
 *
 * <p>So, for each (target producer id, topic, partition) not yet <em>established</em> (no success seen from the
 * target for it through the proxy), a Produce request is let through only when no other batch of that key is in
 * flight and its batch has the lowest base sequence seen for that key since the switch; otherwise the whole request
 * is answered by the proxy with a retriable error (the connection does that, in its turn). A success (or
 * DUPLICATE_SEQUENCE_NUMBER: the target has state) establishes the key; from then on the broker orders the
 * producer's batches itself and every request passes. A lowest sequence not seen again for {@link #STALE_NS} stops
 * counting (a client that gave that batch up must not be held back for ever).
 *
 * <p>Bounded: at most {@link #CAPACITY} keys, the one used longest ago forgotten first (a forgotten established key
 * is guarded again until its next success, which costs only concurrency). Confined to the event loop.
 */
public final class FirstLandings {

    private static final Logger LOG = LoggerFactory.getLogger(FirstLandings.class);
    static final int CAPACITY = 100_000;
    static final long STALE_NS = 10_000_000_000L;

    /** A partition of a producer on the target: the topic is its id (Produce v13+) or else its name. */
    record Key(long producerId, Object topic, int partition) {}

    /** A batch of a request for {@code key}: its base sequence. */
    record Batch(Key key, int baseSequence) {}

    private static final class State {
        boolean established;
        int inFlight;
        int lowest = Integer.MAX_VALUE;
        long lowestSeenNs;
    }

    private final ProxyMetrics metrics;
    private final Map<Key, State> states = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, State> eldest) {
            return size() > CAPACITY && eldest.getValue().inFlight == 0;
        }
    };
    private final Map<Long, Boolean> warned = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };

    public FirstLandings(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Whether a request with these batches may go to the target now.
     *
     * @return the keys it puts in flight (to hand back to {@link #answered} or {@link #unanswered}); null when it
     *     must be answered by the proxy instead
     */
    List<Key> admit(List<Batch> batches, long nowNs) {
        boolean defer = false;
        Batch blocked = null;
        for (Batch batch : batches) {
            State state = states.computeIfAbsent(batch.key(), k -> new State());
            if (state.established) {
                continue;
            }
            int seq = batch.baseSequence();
            if (seq < state.lowest || nowNs - state.lowestSeenNs > STALE_NS) {
                state.lowest = seq;
            }
            if (seq == state.lowest) {
                state.lowestSeenNs = nowNs;
            }
            if (state.inFlight > 0 || seq > state.lowest) {
                defer = true;
                blocked = batch;
            }
        }
        if (defer) {
            metrics.firstLandingDeferred();
            if (warned.put(blocked.key().producerId(), Boolean.TRUE) == null) {
                State state = states.get(blocked.key());
                LOG.warn(
                        "producer proxy: target producer id {} has no state on the target yet for {}-{}; a batch at "
                                + "sequence {} waits ({}) until the one at sequence {} lands, answered "
                                + "NOT_ENOUGH_REPLICAS (retried by the client) meanwhile (logged once per producer)",
                        blocked.key().producerId(),
                        blocked.key().topic(),
                        blocked.key().partition(),
                        blocked.baseSequence(),
                        state.inFlight > 0 ? "another batch is in flight" : "an earlier one has not landed",
                        state.lowest);
            }
            return null;
        }
        List<Key> inFlight = new ArrayList<>();
        for (Batch batch : batches) {
            State state = states.get(batch.key());
            if (state != null && !state.established) {
                state.inFlight++;
                inFlight.add(batch.key());
            }
        }
        return inFlight;
    }

    /** The target answered a batch of {@code key}; {@code landed}: success or duplicate (it has state). */
    void answered(Key key, boolean landed) {
        State state = states.get(key);
        if (state == null) {
            return;
        }
        state.inFlight = Math.max(0, state.inFlight - 1);
        if (landed) {
            state.established = true;
        }
    }

    /** The connection closed before the target answered: the keys are no longer in flight through it. */
    void unanswered(List<Key> keys) {
        for (Key key : keys) {
            answered(key, false);
        }
    }

    /** Keys known (tests). */
    int size() {
        return states.size();
    }
}

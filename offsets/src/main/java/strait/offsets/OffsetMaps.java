package strait.offsets;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The maps of every replicated partition: shared by the replicator (which adds and writes maps) and the group worker,
 * gates and HTTP layer (which read them). Any thread; each map keeps its own single-writer rule.
 */
public final class OffsetMaps {

    private final ConcurrentHashMap<TopicPartition, OffsetMap> maps = new ConcurrentHashMap<>();

    /** The map of a partition, or empty when it is not replicated. Any thread. */
    public Optional<OffsetMap> get(TopicPartition tp) {
        return Optional.ofNullable(maps.get(tp));
    }

    /** Registers (or replaces) a partition's map. Called by the replicator when it takes a partition. */
    public void put(TopicPartition tp, OffsetMap map) {
        maps.put(tp, map);
    }

    /** Registers every map of {@code loaded}, as returned by {@link OffsetMapStore#load()}. */
    public void putAll(Map<TopicPartition, OffsetMap> loaded) {
        maps.putAll(loaded);
    }

    /** Forgets a partition (it left scope or this instance gave it up). */
    public void remove(TopicPartition tp) {
        maps.remove(tp);
    }

    /** Translates a committed source offset; {@link Translation.UnknownPartition} when the partition has no map. */
    public Translation translate(TopicPartition tp, long committedSourceOffset) {
        OffsetMap map = maps.get(tp);
        return map == null ? new Translation.UnknownPartition() : map.translate(committedSourceOffset);
    }

    /** An immutable copy of the registry as it is now (the maps themselves stay live). Any thread. */
    public Map<TopicPartition, OffsetMap> snapshot() {
        return Map.copyOf(maps);
    }

    public int size() {
        return maps.size();
    }
}

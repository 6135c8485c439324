package strait.proxy.internal;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import strait.proxy.Cluster;

/**
 * Topic name to topic id, per cluster, as the proxy learns it from the Metadata answers it already decodes (and, at
 * the switch, from the target's own answer for every topic name seen on the source). The same topic has another id
 * on the target, and Produce v13+ names topics by id only, so a client still holding the source's ids after the
 * switch would be answered UNKNOWN_TOPIC_ID until it refreshes its metadata; {@link #targetFor} gives the target's
 * id for the same name instead, and the connection patches it into the request.
 *
 * <p>Bounded: at most {@link #CAPACITY} names per cluster; past that nothing new is learned (the request then goes
 * as it came). Confined to the event loop.
 */
public final class TopicIds {

    static final int CAPACITY = 100_000;

    private final Map<Cluster, Map<String, Uuid>> byName = new EnumMap<>(Cluster.class);
    private final Map<Cluster, Map<Uuid, String>> byId = new EnumMap<>(Cluster.class);

    public TopicIds() {
        for (Cluster cluster : Cluster.values()) {
            byName.put(cluster, new HashMap<>());
            byId.put(cluster, new HashMap<>());
        }
    }

    /** Learns the ids of a Metadata answer of {@code cluster}. Event loop. */
    void learned(Cluster cluster, MetadataResponseData data) {
        for (MetadataResponseData.MetadataResponseTopic topic : data.topics()) {
            if (topic.errorCode() == Errors.NONE.code()) {
                learn(cluster, topic.name(), topic.topicId());
            }
        }
    }

    /** Learns that {@code name} has {@code id} on {@code cluster}; a recreated topic's new id replaces the old. */
    public void learn(Cluster cluster, String name, Uuid id) {
        if (name == null || name.isEmpty() || id == null || Uuid.ZERO_UUID.equals(id)) {
            return;
        }
        Map<String, Uuid> names = byName.get(cluster);
        if (!names.containsKey(name) && names.size() >= CAPACITY) {
            return;
        }
        Uuid before = names.put(name, id);
        if (before != null && !before.equals(id)) {
            byId.get(cluster).remove(before);
        }
        byId.get(cluster).put(id, name);
    }

    /** The target's id for the topic that has {@code sourceId} on the source; null when unknown or the same. */
    Uuid targetFor(Uuid sourceId) {
        String name = byId.get(Cluster.SOURCE).get(sourceId);
        if (name == null) {
            return null;
        }
        Uuid target = byName.get(Cluster.TARGET).get(name);
        return target == null || target.equals(sourceId) ? null : target;
    }

    /** The topic names known on the source. Event loop. */
    public Set<String> sourceNames() {
        return Set.copyOf(byName.get(Cluster.SOURCE).keySet());
    }
}

package strait.gates.checks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@code inventory} gate judges: the link's topics with the producers the source brokers track on them,
 * and its groups with their members on each cluster, read at one moment. Immutable; built on the
 * {@link InventoryReader}'s thread, read by the evaluation worker.
 *
 * @param topics every replicated topic that could be described, by name
 * @param groups every group in scope, by name
 * @param undescribable why a topic or group could not be described, one line each naming it
 * @param problem why a cluster could not be read at all (a time-out), empty when it could
 */
public record InventorySnapshot(
        List<TopicInventory> topics,
        List<GroupInventory> groups,
        List<String> undescribable,
        Optional<String> problem) {

    public InventorySnapshot {
        topics = List.copyOf(topics);
        groups = List.copyOf(groups);
        undescribable = List.copyOf(undescribable);
        Objects.requireNonNull(problem, "problem");
    }

    /** A snapshot saying only why there is no inventory. */
    public static InventorySnapshot failed(String problem) {
        return new InventorySnapshot(List.of(), List.of(), List.of(), Optional.of(problem));
    }

    /**
     * One replicated topic and the producers with state on its source partitions ({@code DescribeProducers}): the
     * idempotent and transactional producers that wrote within the brokers' {@code producer.id.expiration.ms}.
     */
    public record TopicInventory(String topic, int partitions, List<ProducerOnPartition> producers) {

        public TopicInventory {
            producers = List.copyOf(producers);
        }

        JsonObject toJson(int shown) {
            return new JsonObject()
                    .put("topic", topic)
                    .put("partitions", partitions)
                    .put(
                            "producerCount",
                            producers.stream()
                                    .map(ProducerOnPartition::producerId)
                                    .distinct()
                                    .count())
                    .put(
                            "producers",
                            new JsonArray(producers.stream()
                                    .limit(shown)
                                    .map(ProducerOnPartition::toJson)
                                    .toList()));
        }
    }

    /** A producer's state on one source partition; {@code lastTimestamp} is its last write (ms since the epoch). */
    public record ProducerOnPartition(
            int partition, long producerId, int producerEpoch, long lastTimestamp, boolean inTransaction) {

        JsonObject toJson() {
            return new JsonObject()
                    .put("partition", partition)
                    .put("producerId", producerId)
                    .put("producerEpoch", producerEpoch)
                    .put("lastTimestamp", lastTimestamp)
                    .put("inTransaction", inTransaction);
        }
    }

    /** One group in scope on both clusters. */
    public record GroupInventory(String group, GroupSide source, GroupSide target) {

        JsonObject toJson(int shown) {
            return new JsonObject()
                    .put("group", group)
                    .put("source", source.toJson(shown))
                    .put("target", target.toJson(shown));
        }
    }

    /**
     * A group as one cluster describes it: its state ({@code "absent"} when the cluster does not know it) and its
     * members.
     */
    public record GroupSide(String state, List<Member> members) {

        public static final GroupSide ABSENT = new GroupSide("absent", List.of());

        public GroupSide {
            members = List.copyOf(members);
        }

        boolean active() {
            return !members.isEmpty();
        }

        JsonObject toJson(int shown) {
            return new JsonObject()
                    .put("state", state)
                    .put("memberCount", members.size())
                    .put(
                            "members",
                            new JsonArray(members.stream()
                                    .limit(shown)
                                    .map(Member::toJson)
                                    .toList()));
        }
    }

    /** A group member, as its cluster reports it: who it is and where it connects from. */
    public record Member(String clientId, String host) {

        JsonObject toJson() {
            return new JsonObject().put("clientId", clientId).put("host", host);
        }

        @Override
        public String toString() {
            return clientId + "@" + host;
        }
    }
}

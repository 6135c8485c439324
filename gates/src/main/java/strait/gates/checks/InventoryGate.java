package strait.gates.checks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import strait.gates.Freshness;
import strait.gates.Gate;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.InputKey;
import strait.gates.ProducerProxyGate;
import strait.gates.ProxyState;
import strait.gates.Refreshed;
import strait.gates.checks.InventorySnapshot.GroupInventory;
import strait.gates.checks.InventorySnapshot.ProducerOnPartition;
import strait.gates.checks.InventorySnapshot.TopicInventory;

/**
 * {@code inventory}: who writes and reads the wave. Lists every replicated topic with the producers the source
 * brokers track on it and every group in scope with its members on both clusters, and fails on a split-brain sign:
 * a group with members on the target before the producers switched (someone reads the target already, and the
 * group sync cannot place its offsets), or on both clusters after the switch; and fails when a topic or group cannot
 * be described, since then the inventory is not whole.
 *
 * <p>Pure, like every gate: the inventory comes from {@link InventoryReader}, the switch from the
 * {@code producer-proxy} gate's input ({@link ProducerProxyGate#STATE}; without a proxy there is no switch).
 */
public final class InventoryGate implements Gate {

    public static final String NAME = "inventory";

    /** The input this gate judges, registered by the composition root. */
    public static final InputKey<InventorySnapshot> INVENTORY = new InputKey<>("inventory", InventorySnapshot.class);

    /** Topics, groups, producers per topic and members per group listed in the evidence; counts are always whole. */
    static final int SHOWN = 100;

    /** A producer that wrote within this time counts as writing now. */
    static final long RECENT_MS = 60_000;

    private final long staleMs;

    public InventoryGate(long staleMs) {
        this.staleMs = staleMs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GateResult evaluate(GateInputs inputs, Instant now) {
        Freshness.Checked<InventorySnapshot> checked =
                Freshness.check(INVENTORY.name(), inputs.input(INVENTORY), now, staleMs);
        if (checked instanceof Freshness.Unusable<InventorySnapshot> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        Freshness.Usable<InventorySnapshot> usable = (Freshness.Usable<InventorySnapshot>) checked;
        InventorySnapshot snapshot = usable.value();
        boolean switched = inputs.input(ProducerProxyGate.STATE)
                .map(Refreshed::value)
                .map(s -> s == ProxyState.SWITCHED)
                .orElse(false);
        // A producer id writing many partitions and topics is one producer.
        Set<Long> producerIds = new HashSet<>();
        Set<Long> recentIds = new HashSet<>();
        for (TopicInventory topic : snapshot.topics()) {
            for (ProducerOnPartition p : topic.producers()) {
                producerIds.add(p.producerId());
                if (now.toEpochMilli() - p.lastTimestamp() <= RECENT_MS) {
                    recentIds.add(p.producerId());
                }
            }
        }
        int producers = producerIds.size();
        int recent = recentIds.size();
        long sourceMembers = snapshot.groups().stream()
                .mapToLong(g -> g.source().members().size())
                .sum();
        List<String> splitBrain = new ArrayList<>();
        for (GroupInventory group : snapshot.groups()) {
            if (group.target().active() && (!switched || group.source().active())) {
                splitBrain.add(group.group());
            }
        }
        JsonObject evidence = new JsonObject()
                .put("switched", switched)
                .put("topicCount", snapshot.topics().size())
                .put("producerCount", producers)
                .put("producersWritingInTheLastMinute", recent)
                .put("groupCount", snapshot.groups().size())
                .put("sourceMemberCount", sourceMembers)
                .put(
                        "topics",
                        new JsonArray(snapshot.topics().stream()
                                .limit(SHOWN)
                                .map(t -> t.toJson(SHOWN))
                                .toList()))
                .put(
                        "groups",
                        new JsonArray(snapshot.groups().stream()
                                .limit(SHOWN)
                                .map(g -> g.toJson(SHOWN))
                                .toList()))
                .put("undescribable", new JsonArray(snapshot.undescribable()))
                .put("splitBrainGroups", new JsonArray(splitBrain))
                .put("refreshedAt", usable.refreshedAt().toString());
        if (snapshot.problem().isPresent()) {
            return GateResult.fail(NAME, snapshot.problem().get(), evidence);
        }
        List<String> failures = new ArrayList<>();
        for (GroupInventory group : snapshot.groups()) {
            if (!splitBrain.contains(group.group())) {
                continue;
            }
            failures.add(
                    switched
                            ? "group " + group.group() + " is active on both clusters after the switch ("
                                    + members(group.source()) + " on the source, " + members(group.target())
                                    + " on the target): a split-brain sign; stop the source's members"
                            : "group " + group.group() + " has " + members(group.target()) + " on the target before"
                                    + " the switch: a split-brain sign (someone reads the target already, and the"
                                    + " group's offsets cannot be synced there); stop them or take the group out of"
                                    + " groups");
        }
        failures.addAll(snapshot.undescribable());
        if (!failures.isEmpty()) {
            return GateResult.failFirst(NAME, failures, evidence);
        }
        return GateResult.pass(
                NAME,
                snapshot.topics().size() + " topics with " + producers + " producers tracked by the source ("
                        + recent + " wrote in the last minute); "
                        + snapshot.groups().size() + " groups with "
                        + sourceMembers + " members on the source; no group is active on "
                        + (switched ? "both clusters" : "the target"),
                evidence);
    }

    private static String members(InventorySnapshot.GroupSide side) {
        List<String> shown =
                side.members().stream().limit(5).map(Object::toString).toList();
        return side.members().size() + " members (" + String.join(", ", shown)
                + (side.members().size() > shown.size() ? ", ..." : "") + ")";
    }
}

package strait.deploy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import strait.config.StraitConfig;
import strait.cutover.CutoverRecord;
import strait.gates.Gate;
import strait.gates.GatesSettings;
import strait.gates.TopicParityGate;
import strait.gates.checks.CapacityGate;
import strait.gates.checks.CompatibilityGate;
import strait.gates.checks.DataParityGate;
import strait.gates.checks.InventoryGate;
import strait.gates.checks.RehearsalState;
import strait.gates.checks.RollbackGate;
import strait.offsets.GroupOffsetsWorker;
import strait.replicator.ReplicatorStatus;

/**
 * The gates the composition root adds after the gates module's standard four, with what they read from the other
 * modules: together they are {@link StraitConfig#GATE_NAMES}, the names {@code gates.disabled} may use.
 */
final class RegisteredGates {

    private RegisteredGates() {}

    static List<Gate> of(StraitConfig config) {
        long staleMs = config.getLong(StraitConfig.GATES_STALE_MS);
        return List.of(
                new CapacityGate(config.getDouble(StraitConfig.GATES_CAPACITY_HEADROOM), staleMs),
                new RollbackGate(
                        config.getLong(StraitConfig.GATES_ROLLBACK_MAX_AGE_MS),
                        staleMs,
                        config.getBoolean(StraitConfig.PROXY_ENABLED)),
                new DataParityGate(staleMs, config.getLong(StraitConfig.GATES_PARITY_INTERVAL_MS)),
                new CompatibilityGate(
                        new TopicParityGate(GatesSettings.from(config).thresholds()), staleMs),
                new InventoryGate(staleMs));
    }

    static boolean enabled(StraitConfig config, String gate) {
        return !config.getList(StraitConfig.GATES_DISABLED).contains(gate);
    }

    /** The replicated topics now, for the capacity, compatibility and inventory gates' reads. */
    static Set<String> topics(ReplicatorStatus status) {
        return status.partitions().stream().map(p -> p.topic()).collect(Collectors.toUnmodifiableSet());
    }

    /** The groups in scope now, for the compatibility gate's ACL comparison and the inventory. */
    static Set<String> groups(GroupOffsetsWorker worker) {
        return worker.snapshot().groups().keySet();
    }

    /** Each replicated partition's replicated position, for the data-parity gate's samples. */
    static Map<TopicPartition, Long> replicated(ReplicatorStatus status) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        status.partitions().forEach(p -> positions.put(new TopicPartition(p.topic(), p.partition()), p.replicated()));
        return positions;
    }

    /** The rollback gate's view of the cutover record. */
    static RehearsalState rehearsals(CutoverRecord record) {
        return new RehearsalState(
                record.rehearsals().dryRunPassedAt(),
                record.rehearsals().rolledBackAt(),
                record.state().pastSwitch());
    }
}

package strait.gates.checks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import strait.gates.Freshness;
import strait.gates.Gate;
import strait.gates.GateInputs;
import strait.gates.GateResult;
import strait.gates.InputKey;

/**
 * {@code capacity}: the target can hold what the migration still has to write. Every target log directory must have
 * at least the bytes still to copy into it plus {@code gates.capacity.headroom} percent usable, and all directories
 * together the same for the whole of what is still to copy (partitions not yet on the target included). The evidence
 * has the numbers of every directory, so a failure says by how much.
 *
 * <p>Pure, like every gate: the numbers come from {@link CapacityRefresher}.
 */
public final class CapacityGate implements Gate {

    public static final String NAME = "capacity";

    /** The input this gate judges, registered by the composition root. */
    public static final InputKey<CapacitySnapshot> LOG_DIRS = new InputKey<>("log dirs", CapacitySnapshot.class);

    static final int DIRS_SHOWN = 100;

    private final double headroomPercent;
    private final long staleMs;

    /**
     * @param headroomPercent {@code gates.capacity.headroom}
     * @param staleMs {@code gates.stale.ms}
     */
    public CapacityGate(double headroomPercent, long staleMs) {
        if (headroomPercent < 0 || Double.isNaN(headroomPercent)) {
            throw new IllegalArgumentException("headroom must be a non-negative percentage");
        }
        this.headroomPercent = headroomPercent;
        this.staleMs = staleMs;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@code bytes} with the headroom added, rounded up (saturating: a huge headroom never wraps to a pass). */
    long required(long bytes) {
        double needed = Math.ceil(bytes * (1 + headroomPercent / 100));
        return needed >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) needed;
    }

    @Override
    public GateResult evaluate(GateInputs inputs, Instant now) {
        Freshness.Checked<CapacitySnapshot> checked =
                Freshness.check(LOG_DIRS.name(), inputs.input(LOG_DIRS), now, staleMs);
        if (checked instanceof Freshness.Unusable<CapacitySnapshot> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        Freshness.Usable<CapacitySnapshot> usable = (Freshness.Usable<CapacitySnapshot>) checked;
        CapacitySnapshot snapshot = usable.value();
        JsonObject evidence = new JsonObject()
                .put("headroomPercent", headroomPercent)
                .put("partitions", snapshot.partitions())
                .put("bytesToCopy", snapshot.bytesToCopy())
                .put("unplacedBytes", snapshot.unplacedBytes())
                .put("refreshedAt", usable.refreshedAt().toString());
        if (snapshot.problem().isPresent()) {
            return GateResult.fail(NAME, snapshot.problem().get(), evidence);
        }
        if (snapshot.targetDirs().isEmpty()) {
            return GateResult.fail(NAME, "the target brokers report no log directory", evidence);
        }
        List<String> short_ = new ArrayList<>();
        JsonArray dirs = new JsonArray();
        long usableTotal = 0;
        for (LogDirSpace dir : snapshot.targetDirs()) {
            long required = required(dir.bytesToCopy());
            JsonObject json = new JsonObject()
                    .put("broker", dir.broker())
                    .put("path", dir.path())
                    .put(
                            "totalBytes",
                            dir.totalBytes().isPresent() ? dir.totalBytes().getAsLong() : null)
                    .put(
                            "usableBytes",
                            dir.usableBytes().isPresent() ? dir.usableBytes().getAsLong() : null)
                    .put("bytesToCopy", dir.bytesToCopy())
                    .put("requiredBytes", required)
                    .put("partitions", dir.partitions());
            if (dir.usableBytes().isEmpty()) {
                short_.add("target broker " + dir.broker() + " log dir " + dir.path()
                        + " does not report its usable bytes (KIP-827, Kafka 3.3 or later)");
                json.put("enough", false);
            } else {
                long free = dir.usableBytes().getAsLong();
                usableTotal += free;
                json.put("enough", free >= required);
                if (free < required) {
                    short_.add(shortOf(
                            "target broker " + dir.broker() + " log dir " + dir.path(),
                            free,
                            dir.bytesToCopy(),
                            required));
                }
            }
            if (dirs.size() < DIRS_SHOWN) {
                dirs.add(json);
            }
        }
        long requiredTotal = required(snapshot.bytesToCopy());
        evidence.put("usableBytes", usableTotal)
                .put("requiredBytes", requiredTotal)
                .put("logDirs", dirs);
        if (short_.isEmpty() && usableTotal < requiredTotal) {
            short_.add(shortOf("all target log dirs together", usableTotal, snapshot.bytesToCopy(), requiredTotal));
        }
        if (!short_.isEmpty()) {
            return GateResult.failFirst(NAME, short_, evidence);
        }
        return GateResult.pass(
                NAME,
                "every target log dir can take what is still to copy: " + snapshot.bytesToCopy() + " bytes + "
                        + headroomPercent + "% headroom, " + usableTotal + " bytes usable in "
                        + snapshot.targetDirs().size() + " log dirs",
                evidence);
    }

    private String shortOf(String where, long usable, long toCopy, long required) {
        return where + ": " + usable + " bytes usable, needs " + required + " (" + toCopy + " bytes still to copy + "
                + headroomPercent + "% headroom, gates.capacity.headroom)";
    }
}

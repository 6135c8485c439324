package strait.gates;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * {@code lag}: every replicated partition is running and inside the lag window, in records and in milliseconds.
 * The evidence names the worst partitions so an operator sees at once what holds the cutover.
 */
public final class LagGate implements Gate {

    public static final String NAME = "lag";
    static final int WORST_SHOWN = 5;

    private static final Comparator<PartitionLag> WORST_FIRST = Comparator.comparing(PartitionLag::stopped)
            .reversed()
            .thenComparing(Comparator.comparingLong(PartitionLag::lagRecords).reversed())
            .thenComparing(Comparator.comparingLong(PartitionLag::lagMs).reversed())
            .thenComparing(PartitionLag::topic)
            .thenComparingInt(PartitionLag::partition);

    private final GateThresholds thresholds;

    public LagGate(GateThresholds thresholds) {
        this.thresholds = thresholds;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GateResult evaluate(GateInputs inputs, Instant now) {
        Freshness.Checked<List<PartitionLag>> checked = Freshness.check("lag", inputs.lag(), now, thresholds.staleMs());
        if (checked instanceof Freshness.Unusable<List<PartitionLag>> unusable) {
            return GateResult.fail(NAME, unusable.reason(), unusable.evidence());
        }
        Freshness.Usable<List<PartitionLag>> usable = (Freshness.Usable<List<PartitionLag>>) checked;
        List<PartitionLag> partitions = usable.value();
        List<PartitionLag> outside = partitions.stream()
                .filter(this::outsideWindow)
                .sorted(WORST_FIRST)
                .toList();
        JsonObject evidence = new JsonObject()
                .put("partitions", partitions.size())
                .put("outsideWindow", outside.size())
                .put("maxRecords", thresholds.lagMaxRecords())
                .put("maxMs", thresholds.lagMaxMs())
                .put(
                        "totalLagRecords",
                        partitions.stream().mapToLong(PartitionLag::lagRecords).sum())
                .put("refreshedAt", usable.refreshedAt().toString())
                .put("worst", worst(partitions));
        if (partitions.isEmpty()) {
            return GateResult.pass(NAME, "no partitions replicated", evidence);
        }
        if (outside.isEmpty()) {
            return GateResult.pass(NAME, "all " + partitions.size() + " partitions inside the lag window", evidence);
        }
        return GateResult.fail(
                NAME,
                outside.size() + " of " + partitions.size() + " partitions outside the lag window; worst "
                        + describe(outside.get(0)),
                evidence);
    }

    private boolean outsideWindow(PartitionLag p) {
        return p.stopped() || p.lagRecords() > thresholds.lagMaxRecords() || p.lagMs() > thresholds.lagMaxMs();
    }

    private static JsonArray worst(List<PartitionLag> partitions) {
        JsonArray worst = new JsonArray();
        partitions.stream().sorted(WORST_FIRST).limit(WORST_SHOWN).forEach(p -> {
            JsonObject row = new JsonObject()
                    .put("topic", p.topic())
                    .put("partition", p.partition())
                    .put("lagRecords", p.lagRecords())
                    .put("lagMs", p.lagMs());
            p.stoppedReason().ifPresent(r -> row.put("stoppedReason", r));
            worst.add(row);
        });
        return worst;
    }

    private static String describe(PartitionLag p) {
        String where = p.topic() + "-" + p.partition();
        return p.stoppedReason()
                .map(r -> where + " stopped: " + r)
                .orElse(where + " (" + p.lagRecords() + " records, " + p.lagMs() + " ms behind)");
    }
}

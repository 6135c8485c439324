package strait.gates;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Every gate's verdict at one instant; immutable, shared from the evaluation worker to the event loops. */
public record Evaluation(Instant evaluatedAt, List<GateResult> gates) {

    public Evaluation {
        gates = List.copyOf(gates);
    }

    public boolean ready() {
        return gates.stream().allMatch(GateResult::passed);
    }

    public Optional<GateResult> gate(String name) {
        return gates.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** The body of {@code GET /gates/ready} (docs/contract.md). */
    public JsonObject toJson() {
        JsonArray array = new JsonArray();
        gates.forEach(g -> array.add(g.toJson()));
        return new JsonObject()
                .put("ready", ready())
                .put("evaluatedAt", evaluatedAt.toString())
                .put("gates", array);
    }
}

package strait.gates.checks;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * A client quota of a principal in scope that the target does not have with the same value.
 *
 * @param entity the quota's entity, e.g. {@code user=alice} or {@code user=alice,client-id=app}
 * @param key e.g. {@code producer_byte_rate}
 * @param target the target's value, empty when the target has none
 */
public record QuotaGap(String entity, String key, double source, Optional<Double> target) {

    public String describe() {
        return "quota " + key + " of " + entity + " is " + source + " on the source, "
                + target.map(v -> v + " on the target").orElse("missing on the target");
    }

    JsonObject toJson() {
        return new JsonObject()
                .put("entity", entity)
                .put("key", key)
                .put("source", source)
                .put("target", target.orElse(null));
    }
}

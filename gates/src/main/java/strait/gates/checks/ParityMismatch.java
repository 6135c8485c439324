package strait.gates.checks;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One sampled record that is not the same on both clusters.
 *
 * @param sourceOffset the record's offset on the source
 * @param targetOffset where the offset map puts it on the target
 * @param difference what differs ({@code key}, {@code value}, {@code headers}, {@code timestamp}, or that the
 *     target has no record there)
 */
public record ParityMismatch(String topic, int partition, long sourceOffset, long targetOffset, String difference) {

    public ParityMismatch {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(difference, "difference");
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("topic", topic)
                .put("partition", partition)
                .put("sourceOffset", sourceOffset)
                .put("targetOffset", targetOffset)
                .put("difference", difference);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + " source offset " + sourceOffset + " (target offset " + targetOffset + "): "
                + difference;
    }
}

package strait.gates;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * Where one consumer group resumes on the target for one partition it committed on the source.
 *
 * @param sourceOffset the group's committed offset on the source
 * @param targetOffset its exact translation; empty when there is none (then {@code valid} is false)
 * @param reason why the translation is invalid, or a short note ("exact") when it is valid
 */
public record ResumePoint(
        String group,
        String topic,
        int partition,
        long sourceOffset,
        OptionalLong targetOffset,
        boolean valid,
        String reason) {

    public ResumePoint {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(targetOffset, "targetOffset");
        Objects.requireNonNull(reason, "reason");
        if (valid && targetOffset.isEmpty()) {
            throw new IllegalArgumentException("a valid resume point needs a target offset");
        }
    }

    public static ResumePoint exact(String group, String topic, int partition, long sourceOffset, long targetOffset) {
        return new ResumePoint(group, topic, partition, sourceOffset, OptionalLong.of(targetOffset), true, "exact");
    }

    public static ResumePoint invalid(String group, String topic, int partition, long sourceOffset, String reason) {
        return new ResumePoint(group, topic, partition, sourceOffset, OptionalLong.empty(), false, reason);
    }
}

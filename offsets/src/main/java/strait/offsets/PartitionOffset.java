package strait.offsets;

import java.util.OptionalLong;

/**
 * One partition of a source group, translated: the source commit and where it resumes on the target. Immutable; the
 * shape of one element of {@code /offsets/groups/{group}}.
 *
 * @param targetOffset present exactly when {@code valid}
 * @param reason {@code "exact"} when valid, otherwise one of {@link InvalidReason#text()}
 * @param metadata the source commit's metadata (never null; empty when none)
 */
public record PartitionOffset(
        String topic,
        int partition,
        long sourceOffset,
        OptionalLong targetOffset,
        boolean valid,
        String reason,
        String metadata) {

    /** Why a committed offset has no valid translation. */
    public enum InvalidReason {
        NOT_YET_REPLICATED("not yet replicated"),
        BELOW_SOURCE_RETENTION("below source retention"),
        BELOW_TARGET_RETENTION("below target retention"),
        PARTITION_MISSING_ON_TARGET("partition missing on the target");

        private final String text;

        InvalidReason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    static PartitionOffset exact(String topic, int partition, long sourceOffset, long targetOffset, String metadata) {
        return new PartitionOffset(
                topic, partition, sourceOffset, OptionalLong.of(targetOffset), true, "exact", metadata);
    }

    static PartitionOffset invalid(
            String topic, int partition, long sourceOffset, InvalidReason reason, String metadata) {
        return new PartitionOffset(
                topic, partition, sourceOffset, OptionalLong.empty(), false, reason.text(), metadata);
    }
}

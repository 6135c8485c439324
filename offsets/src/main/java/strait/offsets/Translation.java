package strait.offsets;

/**
 * The answer to "where on the target does a consumer that committed source offset {@code s} resume?". One record per
 * reason a translation is not possible, never a magic {@code -1}.
 */
public sealed interface Translation
        permits Translation.Exact,
                Translation.NotYetReplicated,
                Translation.BelowRetention,
                Translation.UnknownPartition {

    /** Whether this is an {@link Exact} translation. */
    default boolean isExact() {
        return this instanceof Exact;
    }

    /** A short reason for an operator, as served by the HTTP API; {@code "exact"} for a valid translation. */
    String reason();

    /** The target offset of the first replicated record at or after the committed source offset. */
    record Exact(long targetOffset) implements Translation {
        public Exact {
            if (targetOffset < 0) {
                throw new IllegalArgumentException("target offset must be >= 0: " + targetOffset);
            }
        }

        @Override
        public String reason() {
            return "exact";
        }
    }

    /** The committed offset lies past what is replicated; {@code replicatedPosition} is the next source offset to copy. */
    record NotYetReplicated(long replicatedPosition) implements Translation {
        @Override
        public String reason() {
            return "not yet replicated: replicated up to source offset " + replicatedPosition;
        }
    }

    /** The committed offset lies below the oldest offset the map still knows (the source log start, or the map's start). */
    record BelowRetention(long oldestTranslatableOffset) implements Translation {
        @Override
        public String reason() {
            return "below retention: oldest translatable source offset is " + oldestTranslatableOffset;
        }
    }

    /** The partition is not replicated (no map for it). */
    record UnknownPartition() implements Translation {
        @Override
        public String reason() {
            return "partition not replicated";
        }
    }
}

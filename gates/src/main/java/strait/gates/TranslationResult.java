package strait.gates;

/**
 * The answer to "where on the target does a consumer that committed this source offset resume?", one record per
 * outcome rather than a magic {@code -1} (DESIGN §4).
 */
public sealed interface TranslationResult
        permits TranslationResult.Exact,
                TranslationResult.NotYetReplicated,
                TranslationResult.UnknownPartition,
                TranslationResult.BelowRetention {

    /** The target offset of the first replicated record at or after the source offset (or the target's next offset). */
    record Exact(long targetOffset) implements TranslationResult {}

    /** The source offset is past what is replicated so far. */
    record NotYetReplicated(long replicatedPosition) implements TranslationResult {}

    /** The topic or partition is not replicated by this link. */
    record UnknownPartition() implements TranslationResult {}

    /** The source offset is below what the map still holds (trimmed with the source's retention). */
    record BelowRetention(long lowestTranslatable) implements TranslationResult {}
}

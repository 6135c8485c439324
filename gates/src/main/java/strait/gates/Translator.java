package strait.gates;

/**
 * Translates one committed source offset, for {@code GET /offsets/translate}.
 *
 * <p>Called on the HTTP event loop: implementations must answer from in-memory immutable snapshots (the offset
 * maps) and never block or do I/O.
 */
@FunctionalInterface
public interface Translator {

    TranslationResult translate(String topic, int partition, long sourceOffset);

    /** A translator for a link that replicates nothing yet: every partition is unknown. */
    static Translator none() {
        return (topic, partition, offset) -> new TranslationResult.UnknownPartition();
    }
}

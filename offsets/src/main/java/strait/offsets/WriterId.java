package strait.offsets;

/**
 * The producer id and epoch every instance of a link writes the target with. Kept in the offsets topic so that an
 * instance that takes over writes as the same producer as the one it replaced, and the partition leaders can refuse
 * whichever of the two comes second with a record (the replicator's {@code TargetWriter}).
 */
public record WriterId(long producerId, short epoch) {}

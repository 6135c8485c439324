package strait.replicator;

/** Where one replicated partition stands. */
public enum PartitionRunState {
    /** Known, not yet reconciled: nothing is written. */
    PENDING,
    /** The target tail is being paired with the source (on start or after a send failure). */
    RECONCILING,
    /** Records flow. */
    RUNNING,
    /** Stopped for a reason an operator must look at; nothing more is written until a restart. */
    STOPPED
}

package strait.cutover;

/**
 * Where a link's producers are in their move from the source to the target. The order is the order of the steps;
 * every state before {@link #SWITCHING} can abort back to {@link #MIRRORING}, none after it can.
 */
public enum CutoverState {
    /** Producers write to the source through the proxy; replication copies everything to the target. */
    MIRRORING,
    /** New produce requests are held at the proxy. */
    FENCING,
    /** Every replicated source partition's end offset must stay still: nobody writes around the proxy. */
    VERIFYING_FENCE,
    /** Replication catches up to the fenced end offsets. */
    DRAINING,
    /**
     * The consumer groups that read through the proxy commit up to the fenced end offsets and let go of their
     * partitions; their rejoins are held until the switch, which moves them to the target.
     */
    MOVING_CONSUMERS,
    /** Every in-scope group's offsets are translated and committed on the target. */
    SYNCING,
    /** Replication stops and the proxy forwards to the target; the held requests go there. */
    SWITCHING,
    /** Producers write to the target; Strait never writes the link's target partitions again. */
    SWITCHED;

    /** Whether the cutover has passed the point of no return: producers may already write to the target. */
    public boolean pastSwitch() {
        return this == SWITCHING || this == SWITCHED;
    }

    /** Whether a cutover is running: neither mirroring nor switched. */
    public boolean inProgress() {
        return this != MIRRORING && this != SWITCHED;
    }
}

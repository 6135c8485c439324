package strait.proxy;

import org.apache.kafka.common.message.ProduceRequestData;

/**
 * The fence the cutover raises: while it is up every new Produce request is held. Lowering it does not by itself
 * forward what was held; {@link ProducerProxy#releaseHeld()} does, to the cluster current at that moment.
 *
 * <p>Thread-safe: {@link #raise()} and {@link #lower()} from any thread, {@link #onProduce} on the event loop. A
 * request that arrives while the flag flips is held or not, never both; either way it keeps its connection's order.
 */
public final class ProduceFence implements ProduceHook {

    private volatile boolean raised;

    /** From now on every new Produce request is held. */
    public void raise() {
        raised = true;
    }

    /** From now on Produce requests go upstream again; those already held wait for a release. */
    public void lower() {
        raised = false;
    }

    public boolean isRaised() {
        return raised;
    }

    @Override
    public Disposition onProduce(ProduceRequestData request, short version) {
        return raised ? Disposition.HOLD : Disposition.FORWARD;
    }
}

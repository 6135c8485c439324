package strait.proxy;

import org.apache.kafka.common.message.ProduceRequestData;

/**
 * The seam every Produce request passes through before it goes upstream, so that the cutover can hold writes
 * (fence) and later let them go to whichever cluster is then current.
 *
 * <p>Called on the proxy's event loop, once per Produce request, in the order of its connection: it must answer at
 * once and never block. A held request stops its connection: nothing behind it is forwarded until
 * {@link ProducerProxy#releaseHeld()}, so responses reach the client in request order as Kafka clients require.
 */
@FunctionalInterface
public interface ProduceHook {

    /** Forwards every request at once: the proxy without a cutover. */
    ProduceHook FORWARD = (request, version) -> Disposition.FORWARD;

    /** What becomes of one Produce request. */
    enum Disposition {
        /** Goes upstream now. */
        FORWARD,
        /** Waits, with everything behind it on its connection, until {@link ProducerProxy#releaseHeld()}. */
        HOLD
    }

    /**
     * @param request the decoded request, read only: the bytes forwarded are the client's own, whatever is changed
     *     here (after the switch, with mapped producer ids replaced: {@link ProducerIdMapping})
     * @param version the request's api version
     */
    Disposition onProduce(ProduceRequestData request, short version);
}

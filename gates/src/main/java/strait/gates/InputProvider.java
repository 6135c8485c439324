package strait.gates;

import java.util.Optional;

/**
 * Where the gates read one part of their inputs. The composition root implements it by adapting the replicator's
 * or the group sync's own state, so gates depend on no other module's classes.
 *
 * <p>Called only from the gates' evaluation worker thread, never from an event loop; it should return the latest
 * snapshot at hand without waiting on I/O.
 */
@FunctionalInterface
public interface InputProvider<T> {

    /** The latest snapshot, or empty until the producer has refreshed it once (its gate then fails as "no data yet"). */
    Optional<Refreshed<T>> latest();
}

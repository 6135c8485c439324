package strait.gates;

import java.time.Instant;

/**
 * A cutover gate: a pure function of a snapshot and the time (DESIGN §6). No I/O, no clock of its own, no state,
 * so it is cheap to run on every evaluation and trivially tested.
 */
public interface Gate {

    /** The name served over HTTP, e.g. {@code lag}. */
    String name();

    GateResult evaluate(GateInputs inputs, Instant now);
}

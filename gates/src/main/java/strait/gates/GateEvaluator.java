package strait.gates;

import java.time.Instant;
import java.util.List;

/** Runs every gate over one snapshot. Pure; the caller decides the thread (the evaluation worker). */
public final class GateEvaluator {

    private final List<Gate> gates;

    public GateEvaluator(List<Gate> gates) {
        this.gates = List.copyOf(gates);
    }

    /** The four gates of docs/contract.md, in the order they are served. */
    public static GateEvaluator standard(GateThresholds thresholds) {
        return new GateEvaluator(List.of(
                new LagGate(thresholds),
                new ResumePointsGate(thresholds),
                new TopicParityGate(thresholds),
                new ProducerProxyGate(thresholds)));
    }

    /**
     * This evaluator and {@code more} gates after its own, as registered by other modules.
     *
     * @throws IllegalArgumentException when a name is taken twice (gates are served by name)
     */
    public GateEvaluator with(List<Gate> more) {
        List<Gate> all = new java.util.ArrayList<>(gates);
        all.addAll(more);
        java.util.Set<String> names = new java.util.HashSet<>();
        all.forEach(g -> {
            if (!names.add(g.name())) {
                throw new IllegalArgumentException("two gates are named " + g.name());
            }
        });
        return new GateEvaluator(all);
    }

    public List<String> gateNames() {
        return gates.stream().map(Gate::name).toList();
    }

    public Evaluation evaluate(GateInputs inputs, Instant now) {
        return new Evaluation(
                now, gates.stream().map(g -> g.evaluate(inputs, now)).toList());
    }
}

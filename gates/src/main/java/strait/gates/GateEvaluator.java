package strait.gates;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs every gate over one snapshot. Pure; the caller decides the thread (the evaluation worker). A gate named in
 * {@code gates.disabled} keeps its place in the list but is not run: its entry says it is disabled.
 */
public final class GateEvaluator {

    private final List<Gate> gates;
    private final Set<String> disabled;

    public GateEvaluator(List<Gate> gates) {
        this(gates, Set.of());
    }

    private GateEvaluator(List<Gate> gates, Set<String> disabled) {
        this.gates = List.copyOf(gates);
        this.disabled = Set.copyOf(disabled);
    }

    /**
     * The same gates with {@code names} switched off. A name no gate here has is ignored: the configuration checked
     * it against every gate the sidecar serves, and a server built with fewer (in tests) has nothing to switch off.
     */
    public GateEvaluator disabling(Collection<String> names) {
        return new GateEvaluator(gates, new HashSet<>(names));
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
        return new GateEvaluator(all, disabled);
    }

    public List<String> gateNames() {
        return gates.stream().map(Gate::name).toList();
    }

    public Evaluation evaluate(GateInputs inputs, Instant now) {
        return new Evaluation(
                now,
                gates.stream()
                        .map(g -> disabled.contains(g.name()) ? GateResult.disabled(g.name()) : g.evaluate(inputs, now))
                        .toList());
    }
}

package strait.gates;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code strait_gate_passed{gate}} (0/1) and {@code strait_gate_transitions_total{gate}} (pass↔fail flips only;
 * the first verdict is not a flip). Updated only from the evaluation worker.
 */
final class GateMetrics {

    private final Map<String, AtomicInteger> passed = new HashMap<>();
    private final Map<String, Counter> transitions = new HashMap<>();

    GateMetrics(MeterRegistry registry, List<String> gateNames) {
        for (String gate : gateNames) {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("strait.gate.passed", value, AtomicInteger::get).tag("gate", gate)
                    .description("1 while the cutover gate passes, 0 while it fails").register(registry);
            passed.put(gate, value);
            transitions.put(gate, Counter.builder("strait.gate.transitions").tag("gate", gate)
                    .description("Times the cutover gate flipped between pass and fail").register(registry));
        }
    }

    void update(Evaluation evaluation, List<Transition> changes) {
        evaluation.gates().forEach(g -> {
            AtomicInteger value = passed.get(g.name());
            if (value != null) {
                value.set(g.passed() ? 1 : 0);
            }
        });
        changes.stream().filter(t -> t.previouslyPassed().isPresent())
                .forEach(t -> transitions.get(t.gate()).increment());
    }
}

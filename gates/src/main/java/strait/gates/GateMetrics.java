package strait.gates;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code strait_gate_passed{gate}} (0/1) and {@code strait_gate_transitions_total{gate}} (pass↔fail flips only;
 * the first verdict is not a flip). Updated only from the evaluation worker.
 */
final class GateMetrics {

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, AtomicInteger> passed = new HashMap<>();
    private final Map<String, Counter> transitions = new HashMap<>();

    GateMetrics(MeterRegistry registry, List<String> gateNames) {
        this.registry = registry;
        for (String gate : gateNames) {
            AtomicInteger value = new AtomicInteger();
            meters.add(Gauge.builder("strait.gate.passed", value, AtomicInteger::get)
                    .tag("gate", gate)
                    .description("1 while the cutover gate passes, 0 while it fails")
                    .register(registry));
            passed.put(gate, value);
            Counter counter = Counter.builder("strait.gate.transitions")
                    .tag("gate", gate)
                    .description("Times the cutover gate flipped between pass and fail")
                    .register(registry);
            meters.add(counter);
            transitions.put(gate, counter);
        }
    }

    /** Removes this server's meters, so a registry outliving the server does not serve frozen gate states. */
    void close() {
        meters.forEach(registry::remove);
    }

    void update(Evaluation evaluation, List<Transition> changes) {
        evaluation.gates().forEach(g -> {
            AtomicInteger value = passed.get(g.name());
            if (value != null) {
                value.set(g.passed() ? 1 : 0);
            }
        });
        changes.stream()
                .filter(t -> t.previouslyPassed().isPresent())
                .forEach(t -> transitions.get(t.gate()).increment());
    }
}

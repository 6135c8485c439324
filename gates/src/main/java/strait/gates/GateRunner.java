package strait.gates;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the inputs, evaluates the gates, records transitions and publishes what the handlers serve.
 *
 * <p>{@link #evaluateOnce} runs only on the evaluation worker (one thread, so the evidence log has one writer);
 * {@link #latest} is read by event loops.
 */
final class GateRunner {

    private static final Logger LOG = LoggerFactory.getLogger(GateRunner.class);

    private final GateInputSources sources;
    private final GateEvaluator evaluator;
    private final EvidenceLog evidence;
    private final GateMetrics metrics;
    private final Clock clock;
    private final AtomicReference<Served> latest = new AtomicReference<>();

    GateRunner(
            GateInputSources sources, GateEvaluator evaluator, EvidenceLog evidence, GateMetrics metrics, Clock clock) {
        this.sources = sources;
        this.evaluator = evaluator;
        this.evidence = evidence;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Evaluation worker only. */
    Served evaluateOnce() {
        GateInputs inputs;
        try {
            inputs = sources.read();
        } catch (RuntimeException e) {
            LOG.warn("reading gate inputs failed; gates fail until it works: {}", e.toString());
            inputs = GateInputs.empty();
        }
        Evaluation evaluation = evaluator.evaluate(inputs, clock.instant());
        Optional<Evaluation> previous = Optional.ofNullable(latest.get()).map(Served::evaluation);
        List<Transition> changes = evidence.record(previous, evaluation);
        metrics.update(evaluation, changes);
        changes.forEach(t -> LOG.info("gate {} now {}: {}", t.gate(), t.passed() ? "passes" : "fails", t.reason()));
        Served served = Served.of(evaluation, inputs);
        latest.set(served);
        return served;
    }

    /** The latest published state, never null once the server has started. Any thread. */
    Served latest() {
        return latest.get();
    }

    List<Transition> history() {
        return evidence.history();
    }

    List<String> gateNames() {
        return evaluator.gateNames();
    }
}

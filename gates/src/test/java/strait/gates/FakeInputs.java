package strait.gates;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Inputs a test sets directly, as the composition root's adapters would publish them; thread-safe. */
final class FakeInputs {

    final AtomicReference<Optional<Refreshed<List<PartitionLag>>>> lag = new AtomicReference<>(Optional.empty());
    final AtomicReference<Optional<Refreshed<List<ResumePoint>>>> resumePoints =
            new AtomicReference<>(Optional.empty());
    final AtomicReference<Optional<Refreshed<List<TopicParity>>>> topicParity = new AtomicReference<>(Optional.empty());
    final AtomicReference<Optional<Refreshed<ProxyState>>> proxy = new AtomicReference<>(Optional.empty());
    final AtomicReference<Translator> translator = new AtomicReference<>(Translator.none());
    private final Clock clock;

    FakeInputs(Clock clock) {
        this.clock = clock;
    }

    FakeInputs lag(PartitionLag... rows) {
        lag.set(Optional.of(Refreshed.of(List.of(rows), clock.instant())));
        return this;
    }

    FakeInputs resumePoints(ResumePoint... rows) {
        resumePoints.set(Optional.of(Refreshed.of(List.of(rows), clock.instant())));
        return this;
    }

    FakeInputs topicParity(TopicParity... rows) {
        topicParity.set(Optional.of(Refreshed.of(List.of(rows), clock.instant())));
        return this;
    }

    FakeInputs proxyNone() {
        proxy.set(Optional.of(Refreshed.of(ProxyState.NONE, clock.instant())));
        return this;
    }

    /** Every gate passes: one caught-up partition, one group with an exact resume point, parity, no proxy. */
    FakeInputs allPassing() {
        return lag(PartitionLag.running("orders", 0, 100, 100, 100, 0, 0))
                .resumePoints(ResumePoint.exact("billing", "orders", 0, 90, 90))
                .topicParity(TopicParity.same("orders", 1))
                .proxyNone();
    }

    GateInputSources sources() {
        return new GateInputSources(
                        lag::get,
                        resumePoints::get,
                        topicParity::get,
                        (topic, partition, offset) -> translator.get().translate(topic, partition, offset))
                .with(ProducerProxyGate.STATE, proxy::get);
    }

    GateInputs snapshot() {
        return sources().read();
    }
}

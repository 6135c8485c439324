package strait.gates;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable snapshot of everything the gates judge, each part with its own refresh time. Empty parts have
 * not been produced yet.
 */
public record GateInputs(
        Optional<Refreshed<List<PartitionLag>>> lag,
        Optional<Refreshed<List<ResumePoint>>> resumePoints,
        Optional<Refreshed<List<TopicParity>>> topicParity,
        Optional<Refreshed<ProxyState>> proxy) {

    public GateInputs {
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(resumePoints, "resumePoints");
        Objects.requireNonNull(topicParity, "topicParity");
        Objects.requireNonNull(proxy, "proxy");
    }

    /** Nothing produced yet: every gate fails with "no data yet". */
    public static GateInputs empty() {
        return new GateInputs(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}

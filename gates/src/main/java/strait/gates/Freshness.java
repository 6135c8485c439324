package strait.gates;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether one input part may be judged at all: present and refreshed within {@code gates.stale.ms}.
 * Every gate goes through it, so "stale" and "no data yet" read the same everywhere.
 */
public final class Freshness {

    /** The outcome: the value to judge, or why there is none. */
    public sealed interface Checked<T> permits Usable, Unusable {}

    public record Usable<T>(T value, Instant refreshedAt) implements Checked<T> {}

    public record Unusable<T>(String reason, JsonObject evidence) implements Checked<T> {}

    private Freshness() {}

    public static <T> Checked<T> check(String part, Optional<Refreshed<T>> input, Instant now, long staleMs) {
        if (input.isEmpty()) {
            return new Unusable<>("no " + part + " data yet", new JsonObject().put("input", part));
        }
        Refreshed<T> refreshed = input.get();
        long ageMs = Duration.between(refreshed.at(), now).toMillis();
        if (ageMs > staleMs) {
            return new Unusable<>(
                    "stale: " + part + " data last refreshed " + ageMs + " ms ago (gates.stale.ms=" + staleMs + ")",
                    new JsonObject()
                            .put("input", part)
                            .put("refreshedAt", refreshed.at().toString())
                            .put("ageMs", ageMs)
                            .put("staleMs", staleMs));
        }
        return new Usable<>(refreshed.value(), refreshed.at());
    }
}

package strait.gates;

import java.time.Instant;
import java.util.Objects;

/**
 * One part of the gates' inputs together with the time its producer last refreshed it, so a gate can refuse to
 * judge on old news (DESIGN §6: a stale input fails its gate instead of serving the last good answer).
 *
 * @param value the part itself, immutable
 * @param at when the producing worker last refreshed it
 */
public record Refreshed<T>(T value, Instant at) {

    public Refreshed {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(at, "at");
    }

    public static <T> Refreshed<T> of(T value, Instant at) {
        return new Refreshed<>(value, at);
    }
}

package strait.proxy;

import java.util.Locale;

/** The two clusters the proxy can forward to. */
public enum Cluster {
    SOURCE,
    TARGET;

    /** The lowercase name used in logs and metric tags. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

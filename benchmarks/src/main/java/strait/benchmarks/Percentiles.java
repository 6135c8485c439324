package strait.benchmarks;

/** Nearest-rank percentiles of sorted samples. */
final class Percentiles {

    private Percentiles() {}

    /** The nearest-rank {@code q} quantile (0 &lt; q &le; 1) of ascending {@code sorted}; NaN when empty. */
    static double of(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}

package strait.gates;

/**
 * The limits gates judge against, from {@code gates.*} and {@code proxy.enabled}.
 *
 * @param lagMaxRecords per-partition lag window in records
 * @param lagMaxMs per-partition lag window in milliseconds behind the source
 * @param staleMs inputs older than this fail their gate
 * @param proxyEnabled whether the producer proxy is part of this link's cutover
 */
public record GateThresholds(long lagMaxRecords, long lagMaxMs, long staleMs, boolean proxyEnabled) {

    public GateThresholds {
        if (lagMaxRecords < 0 || lagMaxMs < 0 || staleMs <= 0) {
            throw new IllegalArgumentException("thresholds must be non-negative and staleMs positive");
        }
    }
}

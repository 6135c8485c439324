package strait.proxy.internal;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKeyCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKeyCollection;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Narrows an upstream broker's ApiVersions answer to what every party supports, so a client negotiates nothing that
 * breaks when forwarding moves from one cluster to the other: each api's range is cut to the ranges both clusters
 * gave at start and, for the apis the proxy decodes, to the highest version its kafka-clients can parse (stable ones);
 * an api one cluster lacks is left out. Features are narrowed the same way: a finalized feature (say
 * {@code transaction.version}) gets the lower of the two levels, and is left out where either cluster lacks it.
 * {@code SaslHandshake} starts at version 1, since v0 sends raw SASL tokens without Kafka framing.
 *
 * <p>Immutable after construction; {@link #narrow} changes only its argument. Any thread.
 */
public final class ApiVersionsIntersection {

    private final List<ApiVersionsResponseData> clusters;

    /** @param clusters the ApiVersions answers the proxy's own probe got from each cluster at start */
    public ApiVersionsIntersection(List<ApiVersionsResponseData> clusters) {
        this.clusters = List.copyOf(clusters);
    }

    /** Narrows {@code upstream} in place; an error answer is left alone. */
    public void narrow(ApiVersionsResponseData upstream) {
        Objects.requireNonNull(upstream, "upstream");
        if (upstream.errorCode() != 0) {
            return;
        }
        upstream.setApiKeys(apis(upstream.apiKeys()));
        upstream.setSupportedFeatures(supported(upstream.supportedFeatures()));
        upstream.setFinalizedFeatures(finalized(upstream.finalizedFeatures()));
    }

    private ApiVersionCollection apis(ApiVersionCollection upstream) {
        ApiVersionCollection kept = new ApiVersionCollection();
        for (ApiVersion api : upstream) {
            int min = api.minVersion();
            int max = api.maxVersion();
            boolean everywhere = true;
            for (ApiVersionsResponseData cluster : clusters) {
                ApiVersion other = cluster.apiKeys().find(api.apiKey());
                if (other == null) {
                    everywhere = false;
                    break;
                }
                min = Math.max(min, other.minVersion());
                max = Math.min(max, other.maxVersion());
            }
            if (ApiKeys.hasId(api.apiKey())) {
                ApiKeys key = ApiKeys.forId(api.apiKey());
                if (ResponseRewriter.decodes(key)) {
                    // Only the top is cut: a broker's minimum stays as it said (4.x brokers still list Produce from
                    // v0 for old clients' sake, and refuse v0-2 themselves).
                    max = Math.min(max, parseableUpTo(key));
                }
                if (key == ApiKeys.SASL_HANDSHAKE) {
                    min = Math.max(min, 1);
                }
            }
            if (everywhere && min <= max) {
                kept.add(new ApiVersion()
                        .setApiKey(api.apiKey())
                        .setMinVersion((short) min)
                        .setMaxVersion((short) max));
            }
        }
        return kept;
    }

    /** The highest stable version of {@code api} the proxy's kafka-clients reads and writes. */
    static short parseableUpTo(ApiKeys api) {
        return api.messageType.highestSupportedVersion(false);
    }

    private SupportedFeatureKeyCollection supported(SupportedFeatureKeyCollection upstream) {
        SupportedFeatureKeyCollection kept = new SupportedFeatureKeyCollection();
        for (SupportedFeatureKey feature : upstream) {
            int min = feature.minVersion();
            int max = feature.maxVersion();
            boolean everywhere = true;
            for (ApiVersionsResponseData cluster : clusters) {
                SupportedFeatureKey other = cluster.supportedFeatures().find(feature.name());
                if (other == null) {
                    everywhere = false;
                    break;
                }
                min = Math.max(min, other.minVersion());
                max = Math.min(max, other.maxVersion());
            }
            if (everywhere && min <= max) {
                kept.add(new SupportedFeatureKey()
                        .setName(feature.name())
                        .setMinVersion((short) min)
                        .setMaxVersion((short) max));
            }
        }
        return kept;
    }

    private FinalizedFeatureKeyCollection finalized(FinalizedFeatureKeyCollection upstream) {
        FinalizedFeatureKeyCollection kept = new FinalizedFeatureKeyCollection();
        for (FinalizedFeatureKey feature : upstream) {
            int min = feature.minVersionLevel();
            int max = feature.maxVersionLevel();
            boolean everywhere = true;
            for (ApiVersionsResponseData cluster : clusters) {
                FinalizedFeatureKey other = cluster.finalizedFeatures().find(feature.name());
                if (other == null) {
                    everywhere = false;
                    break;
                }
                min = Math.max(min, other.minVersionLevel());
                max = Math.min(max, other.maxVersionLevel());
            }
            if (everywhere && min <= max) {
                kept.add(new FinalizedFeatureKey()
                        .setName(feature.name())
                        .setMinVersionLevel((short) min)
                        .setMaxVersionLevel((short) max));
            }
        }
        return kept;
    }
}

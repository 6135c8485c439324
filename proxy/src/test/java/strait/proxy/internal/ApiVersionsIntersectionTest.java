package strait.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ApiVersionsIntersectionTest {

    private static ApiVersionsResponseData versions(int[][] apis, Object[][] finalized) {
        ApiVersionsResponseData data = new ApiVersionsResponseData();
        for (int[] api : apis) {
            data.apiKeys()
                    .add(new ApiVersion()
                            .setApiKey((short) api[0])
                            .setMinVersion((short) api[1])
                            .setMaxVersion((short) api[2]));
        }
        for (Object[] feature : finalized) {
            data.finalizedFeatures()
                    .add(new FinalizedFeatureKey()
                            .setName((String) feature[0])
                            .setMinVersionLevel((short) 1)
                            .setMaxVersionLevel(((Integer) feature[1]).shortValue()));
        }
        return data;
    }

    private static final int LIST_OFFSETS = ApiKeys.LIST_OFFSETS.id;
    private static final int PRODUCE = ApiKeys.PRODUCE.id;
    private static final int SASL_HANDSHAKE = ApiKeys.SASL_HANDSHAKE.id;
    private static final int DELETE_TOPICS = ApiKeys.DELETE_TOPICS.id;

    private final ApiVersionsResponseData source = versions(
            new int[][] {{LIST_OFFSETS, 1, 10}, {PRODUCE, 0, 99}, {SASL_HANDSHAKE, 0, 1}, {DELETE_TOPICS, 1, 6}},
            new Object[][] {{"transaction.version", 2}, {"group.version", 1}});
    private final ApiVersionsResponseData target = versions(
            new int[][] {{LIST_OFFSETS, 2, 8}, {PRODUCE, 0, 99}, {SASL_HANDSHAKE, 0, 1}},
            new Object[][] {{"transaction.version", 1}});
    private final ApiVersionsIntersection intersection = new ApiVersionsIntersection(List.of(source, target));

    @Test
    void eachApiGetsTheRangeBothClustersSupport() {
        ApiVersionsResponseData answer = source.duplicate();
        intersection.narrow(answer);

        ApiVersion listOffsets = answer.apiKeys().find((short) LIST_OFFSETS);
        assertThat(listOffsets.minVersion()).isEqualTo((short) 2);
        assertThat(listOffsets.maxVersion()).isEqualTo((short) 8);
    }

    @Test
    void anApiOneClusterLacksIsLeftOut() {
        ApiVersionsResponseData answer = source.duplicate();
        intersection.narrow(answer);

        assertThat(answer.apiKeys().find((short) DELETE_TOPICS)).isNull();
    }

    @Test
    void anApiTheProxyDecodesIsCappedAtWhatItCanParseAndKeepsTheBrokersMinimum() {
        ApiVersionsResponseData answer = source.duplicate();
        intersection.narrow(answer);

        ApiVersion produce = answer.apiKeys().find((short) PRODUCE);
        assertThat(produce.maxVersion()).isEqualTo(ApiVersionsIntersection.parseableUpTo(ApiKeys.PRODUCE));
        assertThat(produce.minVersion()).isZero();
    }

    @Test
    void saslHandshakeStartsAtVersionOne() {
        ApiVersionsResponseData answer = source.duplicate();
        intersection.narrow(answer);

        assertThat(answer.apiKeys().find((short) SASL_HANDSHAKE).minVersion()).isEqualTo((short) 1);
    }

    @Test
    void aFinalizedFeatureGetsTheLowerLevelAndIsLeftOutWhereEitherLacksIt() {
        ApiVersionsResponseData answer = source.duplicate();
        intersection.narrow(answer);

        assertThat(answer.finalizedFeatures().find("transaction.version").maxVersionLevel())
                .isEqualTo((short) 1);
        assertThat(answer.finalizedFeatures().find("group.version")).isNull();
    }

    @Test
    void anErrorAnswerIsLeftAlone() {
        ApiVersionsResponseData answer = source.duplicate().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        intersection.narrow(answer);

        assertThat(answer).isEqualTo(source.duplicate().setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
    }
}

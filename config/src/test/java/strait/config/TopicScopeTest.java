package strait.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The one rule for internal topics, which the replicator copies by and the group sync translates by. */
class TopicScopeTest {

    private static final TopicScope EVERYTHING = new TopicScope(Pattern.compile(".*"), Optional.empty(), "strait");

    @Test
    void anApplicationTopicEndingInInternalIsCopiedAndItsGroupsTranslated() {
        assertThat(TopicScope.isInternal("billing.internal", "strait")).isFalse();
        assertThat(EVERYTHING.test("billing.internal")).isTrue();
        assertThat(EVERYTHING.test("orders-internal")).isTrue();
        assertThat(EVERYTHING.test("internal")).isTrue();
    }

    @Test
    void kafkasOwnTopicsAreInternal() {
        assertThat(EVERYTHING.test("__consumer_offsets")).isFalse();
        assertThat(EVERYTHING.test("__transaction_state")).isFalse();
        assertThat(EVERYTHING.test("__share_group_state")).isFalse();
        assertThat(EVERYTHING.test("_single_underscore")).isTrue();
    }

    @Test
    void mirrorMaker2sTopicsAreInternal() {
        assertThat(EVERYTHING.test("mm2-offsets.source.internal")).isFalse();
        assertThat(EVERYTHING.test("mm2-configs.source.internal")).isFalse();
        assertThat(EVERYTHING.test("mm2-status.source.internal")).isFalse();
        assertThat(EVERYTHING.test("mm2-offset-syncs.target.internal")).isFalse();
        assertThat(EVERYTHING.test("source.checkpoints.internal")).isFalse();
        assertThat(EVERYTHING.test("heartbeats")).isFalse();
        assertThat(EVERYTHING.test("source.heartbeats")).isFalse();
        // Names that only look alike are an application's.
        assertThat(EVERYTHING.test("mm2-offsets")).isTrue();
        assertThat(EVERYTHING.test("device-heartbeats")).isTrue();
        assertThat(EVERYTHING.test("checkpoints.internal")).isTrue();
    }

    @Test
    void theLinksOwnTopicsAreInternalAndNamedHere() {
        assertThat(TopicScope.offsetsTopic("eu")).isEqualTo("eu.offsets.internal");
        assertThat(TopicScope.fenceTopic("eu")).isEqualTo("eu.fence.internal");
        assertThat(TopicScope.checkpointsTopic("eu")).isEqualTo("eu.checkpoints.internal");
        for (String own : new String[] {"eu.offsets.internal", "eu.fence.internal", "eu.checkpoints.internal"}) {
            assertThat(TopicScope.isInternal(own, "eu")).as(own).isTrue();
        }
        // Another link's maps and fence are topics like any other to this one.
        assertThat(TopicScope.isInternal("strait.offsets.internal", "eu")).isFalse();
        assertThat(TopicScope.isInternal("strait.fence.internal", "eu")).isFalse();
    }

    @Test
    void noPatternBringsAnInternalTopicIntoScope() {
        TopicScope scope = new TopicScope(
                Pattern.compile("billing\\..*|__consumer_offsets|heartbeats"), Optional.empty(), "strait");
        assertThat(scope.test("billing.internal")).isTrue();
        assertThat(scope.test("__consumer_offsets")).isFalse();
        assertThat(scope.test("heartbeats")).isFalse();
    }

    @Test
    void theConfiguredScopeAppliesTopicsAndTopicsExclude() {
        TopicScope scope = TopicScope.of(StraitConfig.parse(Map.of(
                "source.bootstrap.servers", "src:9092",
                "target.bootstrap.servers", "tgt:9092",
                "topics", "billing\\..*",
                "topics.exclude", "billing\\.tmp\\..*",
                "link.name", "eu")));
        assertThat(scope.test("billing.internal")).isTrue();
        assertThat(scope.test("billing.tmp.scratch")).isFalse();
        assertThat(scope.test("orders")).isFalse();
        assertThat(scope.test("eu.offsets.internal")).isFalse();
    }
}

package strait.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The seeker's parsing of {@code GET /offsets/groups/{group}} answers. Its seeking, against real brokers and a real
 * sidecar, is {@code TranslatedOffsetSeekerIT} in the deploy module.
 */
class TranslatedOffsetSeekerTest {

    @Test
    void parsesEscapedTopicNames() {
        assertThat(TranslatedOffsetSeeker.parseGroup(
                        "{\"partitions\":[{\"topic\":\"a\\\"b\",\"partition\":2,\"targetOffset\":5,\"valid\":true}]}"))
                .containsEntry(new TopicPartition("a\"b", 2), 5L);
    }

    @Test
    void keepsOnlyValidPartitionsOfAGroupAnswer() {
        assertThat(TranslatedOffsetSeeker.parseGroup("""
                {"group":"billing","partitions":[
                 {"topic":"orders","partition":0,"sourceOffset":10,"targetOffset":7,"valid":true,"reason":"exact"},
                 {"topic":"orders","partition":1,"sourceOffset":99,"targetOffset":null,"valid":false,
                  "reason":"not yet replicated"}]}"""))
                .containsOnlyKeys(new TopicPartition("orders", 0))
                .containsEntry(new TopicPartition("orders", 0), 7L);
    }
}

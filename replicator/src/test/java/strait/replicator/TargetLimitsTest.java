package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class TargetLimitsTest {

    private static final long NOW = 1_800_000_000_000L;

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, long timestamp, int valueBytes) {
        return new ConsumerRecord<>(
                "t",
                0,
                7,
                timestamp,
                TimestampType.CREATE_TIME,
                key == null ? -1 : key.length,
                valueBytes,
                key,
                new byte[valueBytes],
                new RecordHeaders(),
                Optional.empty());
    }

    @Test
    void aCompactedTargetRefusesARecordWithoutAKey() {
        TargetLimits compacted = new TargetLimits(-1, true, Long.MAX_VALUE, Long.MAX_VALUE);
        assertThat(compacted.refusal(record(null, NOW, 10), NOW)).hasMessageContaining("offset 7 has no key");
        assertThat(compacted.refusal(record(new byte[0], NOW, 10), NOW))
                .as("an empty key is a key")
                .isNull();
        assertThat(TargetLimits.NONE.refusal(record(null, NOW, 10), NOW)).isNull();
    }

    @Test
    void timestampsOutsideTheTargetsBoundsOrWithinTheMarginOfThemAreRefused() {
        TargetLimits hour = new TargetLimits(-1, false, 86_400_000L, 3_600_000L);
        long margin = TargetLimits.TIMESTAMP_MARGIN_MS;
        assertThat(hour.refusal(record(null, NOW + 3_600_000L - margin, 1), NOW))
                .isNull();
        assertThat(hour.refusal(record(null, NOW + 3_600_000L - margin + 1, 1), NOW))
                .hasMessageContaining("message.timestamp.after.max.ms (3600000)");
        assertThat(hour.refusal(record(null, NOW - 86_400_000L + margin, 1), NOW))
                .isNull();
        assertThat(hour.refusal(record(null, NOW - 86_400_000L + margin - 1, 1), NOW))
                .hasMessageContaining("message.timestamp.before.max.ms (86400000)");
        assertThat(hour.refusal(record(null, -1, 1), NOW)).as("no timestamp").isNull();
    }

    @Test
    void limitsAreReadFromTheTargetTopicsConfigIncludingTheOneBoundOfBrokersBeforeKafka36() {
        TargetLimits current = TopicProvisioner.limits(new Config(List.of(
                new ConfigEntry("cleanup.policy", "compact,delete"),
                new ConfigEntry("compression.type", "producer"),
                new ConfigEntry("max.message.bytes", "1048588"),
                new ConfigEntry("message.timestamp.before.max.ms", "9223372036854775807"),
                new ConfigEntry("message.timestamp.after.max.ms", "3600000"))));
        assertThat(current).isEqualTo(new TargetLimits(1_048_588, true, Long.MAX_VALUE, 3_600_000L));
        TargetLimits old = TopicProvisioner.limits(new Config(List.of(
                new ConfigEntry("cleanup.policy", "delete"),
                new ConfigEntry("compression.type", "zstd"),
                new ConfigEntry("max.message.bytes", "1048588"),
                new ConfigEntry("message.timestamp.difference.max.ms", "600000"))));
        assertThat(old).isEqualTo(new TargetLimits(1_048_588, false, 600_000L, 600_000L));
    }
}

package strait.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.junit.jupiter.api.Test;

/** Failures are sorted by exception type: transient ones reconcile, the rest stop the partition. */
class FailuresTest {

    @Test
    void transientFailuresReconcileAndResume() {
        assertThat(Failures.action(new TimeoutException("delivery timeout"))).isEqualTo(Failures.Action.RECONCILE);
        assertThat(Failures.action(new NotEnoughReplicasException("isr"))).isEqualTo(Failures.Action.RECONCILE);
        assertThat(Failures.action(new OutOfOrderSequenceException("seq"))).isEqualTo(Failures.Action.RECONCILE);
        assertThat(Failures.kind(new TimeoutException("x"))).isEqualTo("timeout");
    }

    @Test
    void tooLargeAuthorizationAndUnknownFailuresStopThePartition() {
        assertThat(Failures.action(new RecordTooLargeException("big"))).isEqualTo(Failures.Action.STOP);
        assertThat(Failures.action(new TopicAuthorizationException(Set.of("t"))))
                .isEqualTo(Failures.Action.STOP);
        assertThat(Failures.action(new UnknownServerException("?"))).isEqualTo(Failures.Action.STOP);
        assertThat(Failures.kind(new RecordTooLargeException("big"))).isEqualTo("record_too_large");
        assertThat(Failures.kind(new TopicAuthorizationException(Set.of("t")))).isEqualTo("authorization");
    }

    @Test
    void aRecordAnotherProducerWroteBetweenOursStopsThePartition() {
        ForeignWriteException e = ForeignWriteException.atAck(new org.apache.kafka.common.TopicPartition("t", 0), 5, 7);
        assertThat(Failures.action(e)).isEqualTo(Failures.Action.STOP);
        assertThat(Failures.kind(e)).isEqualTo("foreign_write");
        assertThat(Failures.describe(e)).contains("offsets 5..6 were written by another producer");
        assertThat(Failures.describe(
                        ForeignWriteException.atEnd(new org.apache.kafka.common.TopicPartition("t", 0), 5, 9)))
                .contains("ends at offset 9")
                .contains("offsets 5..8 were written by another producer");
        assertThat(Failures.describe(
                        ForeignWriteException.atAck(new org.apache.kafka.common.TopicPartition("t", 0), 9, 3)))
                .contains("acked this link's record at offset 3")
                .contains("lost records this link wrote");
    }

    @Test
    void wrappedFailuresAreJudgedByTheirCause() {
        ExecutionException wrapped = new ExecutionException(new RecordTooLargeException("big"));
        assertThat(Failures.action(wrapped)).isEqualTo(Failures.Action.STOP);
        assertThat(Failures.describe(wrapped)).isEqualTo("RecordTooLargeException: big");
    }
}

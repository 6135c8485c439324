package strait.replicator;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import strait.config.ErrorText;

/**
 * Sorts client errors into what the replicator does about them, by exception type only (never by message text).
 * Stateless; any thread.
 */
final class Failures {

    private Failures() {}

    /** What the replicator does about a failure. */
    enum Action {
        /** Transient: reconcile the partition and resume, with backoff. */
        RECONCILE,
        /** An operator must act: stop that partition with the reason. */
        STOP
    }

    static Throwable unwrap(Throwable error) {
        return ErrorText.unwrap(error);
    }

    static Action action(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof RetriableException
                || e instanceof OutOfOrderSequenceException
                || e instanceof UnknownProducerIdException) {
            return Action.RECONCILE;
        }
        return Action.STOP;
    }

    /** The {@code kind} label of {@code strait_errors_total}. */
    static String kind(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof RecordTooLargeException) {
            return "record_too_large";
        }
        if (e instanceof InvalidTimestampException) {
            return "invalid_timestamp";
        }
        if (e instanceof InvalidRecordException) {
            return "invalid_record";
        }
        if (e instanceof ForeignWriteException) {
            return "foreign_write";
        }
        if (e instanceof AuthorizationException) {
            return "authorization";
        }
        if (e instanceof AuthenticationException) {
            return "authentication";
        }
        if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "timeout";
        }
        if (e instanceof RetriableException) {
            return "retriable";
        }
        if (e instanceof OutOfOrderSequenceException || e instanceof UnknownProducerIdException) {
            return "producer_sequence";
        }
        return "fatal";
    }

    /** One line for logs and status: type and message, never a stack trace. */
    static String describe(Throwable error) {
        return ErrorText.describe(error);
    }
}

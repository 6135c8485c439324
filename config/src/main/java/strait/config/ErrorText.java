package strait.config;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/**
 * Turns a failure into the one line an operator reads in a log, {@code /status} or on stderr: the exception's kind and
 * message, the topics or group a denial names, secrets masked, never a stack trace. Stateless; any thread.
 */
public final class ErrorText {

    private ErrorText() {}

    /** The cause that says what went wrong: wrappers from futures are peeled off. */
    public static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    public static String describe(Throwable error) {
        Throwable e = unwrap(error);
        StringBuilder line = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null) {
            line.append(": ").append(SecretMasker.maskMessage(e.getMessage()));
        }
        // Kafka's denials carry the resource; its message often does not ("Authorization failed.").
        if (e instanceof TopicAuthorizationException denied
                && !denied.unauthorizedTopics().isEmpty()) {
            line.append(" (topics ").append(denied.unauthorizedTopics()).append(')');
        } else if (e instanceof GroupAuthorizationException denied
                && denied.groupId() != null
                && (e.getMessage() == null || !e.getMessage().contains(denied.groupId()))) {
            line.append(" (group ").append(denied.groupId()).append(')');
        }
        return line.toString();
    }
}

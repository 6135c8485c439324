package strait.gates.checks;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaFuture;
import strait.config.ErrorText;

/**
 * The two admin clients a gate input reads both clusters with, and the one way such a read says why a cluster could
 * not be read ({@link Unreadable}): no answer within {@link #TIMEOUT}, or the broker's error, kept as the cause so
 * a reader can tell an authorization error apart and name the ACL its gate needs.
 *
 * <p>Blocking: {@link #get} and the clients are used only on the owning reader's own thread; {@link #open} and
 * {@link #close} by the composition root's thread, after that thread has stopped.
 */
final class ClusterPair implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(15);

    final Admin source;
    final Admin target;

    private ClusterPair(Admin source, Admin target) {
        this.source = source;
        this.target = target;
    }

    /**
     * @param sourceProps, targetProps each side's client settings (credentials included, never logged)
     * @param reader names the clients: {@code strait-<reader>-source} and {@code strait-<reader>-target}
     */
    static ClusterPair open(Map<String, Object> sourceProps, Map<String, Object> targetProps, String reader) {
        Admin source = Admin.create(withClientId(sourceProps, "strait-" + reader + "-source"));
        try {
            return new ClusterPair(source, Admin.create(withClientId(targetProps, "strait-" + reader + "-target")));
        } catch (RuntimeException e) {
            source.close(Duration.ZERO);
            throw e;
        }
    }

    /** The answer to {@code request} sent to {@code side} ("source" or "target"), waiting at most {@link #TIMEOUT}. */
    static <T> T get(KafkaFuture<T> future, String side, String request) throws Unreadable {
        long ms = TIMEOUT.toMillis();
        try {
            return future.get(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreadable("interrupted", null);
        } catch (TimeoutException e) {
            throw new Unreadable("the " + side + " did not answer " + request + " within " + ms + " ms", null);
        } catch (ExecutionException e) {
            throw new Unreadable(
                    "cannot read the " + side + "'s " + request + ": " + ErrorText.describe(e.getCause()),
                    e.getCause());
        }
    }

    /**
     * The answers to one request about many names ({@code DescribeTopics}, {@code DescribeProducers}, ...), each on
     * its own: one name's error does not hide the others. Waits at most {@link #TIMEOUT} for them all.
     *
     * @throws Unreadable when the cluster did not answer them all in time
     */
    static <K, V> Answers<K, V> getEach(Map<K, KafkaFuture<V>> futures, String side, String request) throws Unreadable {
        try {
            get(KafkaFuture.allOf(futures.values().toArray(KafkaFuture[]::new)), side, request);
        } catch (Unreadable e) {
            if (e.getCause() == null) {
                throw e;
            }
            // One name's error fails allOf; each answer is read below.
        }
        Map<K, V> values = new LinkedHashMap<>();
        Map<K, Throwable> errors = new LinkedHashMap<>();
        futures.forEach((key, future) -> {
            try {
                values.put(key, future.getNow(null));
            } catch (ExecutionException e) {
                errors.put(key, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.put(key, e);
            }
        });
        return new Answers<>(values, errors);
    }

    /** Per name, its answer or its error. */
    record Answers<K, V>(Map<K, V> values, Map<K, Throwable> errors) {}

    private static Map<String, Object> withClientId(Map<String, Object> props, String clientId) {
        Map<String, Object> all = new HashMap<>(props);
        all.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return all;
    }

    @Override
    public void close() {
        source.close(Duration.ofSeconds(5));
        target.close(Duration.ofSeconds(5));
    }

    /** Why a cluster could not be read; {@code cause} is the broker's error, kept to tell its kind apart. */
    static final class Unreadable extends Exception {
        Unreadable(String reason, Throwable cause) {
            super(reason, cause, false, false);
        }

        boolean causedBy(Class<? extends Throwable> kind) {
            return kind.isInstance(getCause());
        }
    }
}

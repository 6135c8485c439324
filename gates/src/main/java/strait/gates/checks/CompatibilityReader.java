package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import strait.config.ErrorText;
import strait.gates.InputProvider;

/**
 * Keeps the {@code compatibility} gate's input fresh: every {@code interval} it reads both clusters' ACLs
 * ({@code DescribeAcls}) and client quotas ({@code DescribeClientQuotas}) and compares them for the link's topics and
 * groups ({@link CompatibilityComparison}). Four admin requests a round; a cluster without an authorizer has no ACLs
 * (not an error).
 *
 * <p>Threads: the reads run on its own thread ({@code strait-gates-compatibility}), never on an event loop nor on
 * the evaluation worker; {@link #input} is read by the evaluation worker (a volatile snapshot). {@link #start} and
 * {@link #close} are for the composition root's thread.
 */
public final class CompatibilityReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CompatibilityReader.class);
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Map<String, Object> sourceProps;
    private final Map<String, Object> targetProps;
    private final Supplier<Set<String>> topics;
    private final Supplier<Set<String>> groups;
    private final PeriodicInput<CompatibilitySnapshot> periodic;
    private Admin source;
    private Admin target;
    private String lastProblem = "";

    /**
     * @param sourceProps, targetProps each side's client settings (credentials included, never logged)
     * @param topics the replicated topics now, read on the reader's thread
     * @param groups the groups in scope now, read on the reader's thread
     */
    public CompatibilityReader(
            Map<String, Object> sourceProps,
            Map<String, Object> targetProps,
            Supplier<Set<String>> topics,
            Supplier<Set<String>> groups,
            Duration interval,
            Clock clock) {
        this.sourceProps = Map.copyOf(sourceProps);
        this.targetProps = Map.copyOf(targetProps);
        this.topics = topics;
        this.groups = groups;
        this.periodic =
                new PeriodicInput<>("strait-gates-compatibility", "compatibility", this::refresh, interval, clock);
    }

    /** Builds the two admin clients and schedules the reads, the first at once. */
    public synchronized void start() {
        source = Admin.create(withClientId(sourceProps, "strait-compatibility-source"));
        target = Admin.create(withClientId(targetProps, "strait-compatibility-target"));
        periodic.start();
    }

    /** The compatibility gate's input. Evaluation worker. */
    public InputProvider<CompatibilitySnapshot> input() {
        return periodic.input();
    }

    /** One round; the reader's thread. */
    private CompatibilitySnapshot refresh() {
        CompatibilitySnapshot snapshot;
        try {
            snapshot = CompatibilityComparison.compare(
                    acls(source, "source"),
                    acls(target, "target"),
                    topics.get(),
                    groups.get(),
                    quotas(source, "source"),
                    quotas(target, "target"));
        } catch (Unreadable e) {
            snapshot = CompatibilitySnapshot.failed(e.getMessage());
        }
        String problem = snapshot.problem().orElse("");
        if (!problem.equals(lastProblem)) {
            if (problem.isEmpty()) {
                LOG.info("compatibility: ACLs and quotas readable again");
            } else {
                LOG.warn("compatibility: {}", problem);
            }
            lastProblem = problem;
        }
        return snapshot;
    }

    private Optional<Collection<AclBinding>> acls(Admin admin, String side) throws Unreadable {
        try {
            return Optional.of(get(admin.describeAcls(AclBindingFilter.ANY).values(), side, "DescribeAcls"));
        } catch (Unreadable e) {
            if (e.getCause() instanceof SecurityDisabledException) {
                return Optional.empty();
            }
            if (e.getCause() instanceof ClusterAuthorizationException) {
                throw new Unreadable(
                        "not authorized to describe the " + side + "'s ACLs: the compatibility gate needs Describe on"
                                + " the cluster resource (kafka-cluster) of both clusters; grant it, or set"
                                + " gates.disabled=compatibility",
                        null);
            }
            throw e;
        }
    }

    private Map<ClientQuotaEntity, Map<String, Double>> quotas(Admin admin, String side) throws Unreadable {
        try {
            return get(admin.describeClientQuotas(ClientQuotaFilter.all()).entities(), side, "DescribeClientQuotas");
        } catch (Unreadable e) {
            if (e.getCause() instanceof ClusterAuthorizationException) {
                throw new Unreadable(
                        "not authorized to describe the " + side + "'s client quotas: the compatibility gate needs"
                                + " DescribeConfigs on the cluster resource (kafka-cluster) of both clusters; grant"
                                + " it, or set gates.disabled=compatibility",
                        null);
            }
            throw e;
        }
    }

    private static <T> T get(KafkaFuture<T> future, String side, String request) throws Unreadable {
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

    private static Map<String, Object> withClientId(Map<String, Object> props, String clientId) {
        Map<String, Object> all = new HashMap<>(props);
        all.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return all;
    }

    @Override
    public synchronized void close() {
        periodic.stop(TIMEOUT);
        if (source != null) {
            source.close(Duration.ofSeconds(5));
        }
        if (target != null) {
            target.close(Duration.ofSeconds(5));
        }
    }

    /** Why a cluster could not be read; {@code cause} is the broker's error, kept to tell its kind apart. */
    private static final class Unreadable extends Exception {
        Unreadable(String reason, Throwable cause) {
            super(reason, cause, false, false);
        }
    }
}

package strait.gates.checks;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import strait.gates.checks.ClusterPair.Unreadable;

/**
 * Keeps the {@code compatibility} gate's input fresh: every {@code interval} it reads both clusters' ACLs
 * ({@code DescribeAcls}) and client quotas ({@code DescribeClientQuotas}) and compares them for the link's topics and
 * groups ({@link CompatibilityComparison}). Four admin requests a round; a cluster without an authorizer has no ACLs
 * (not an error).
 *
 * <p>Threads as in {@link ClusterReader}: the reads run on {@code strait-gates-compatibility}.
 */
public final class CompatibilityReader extends ClusterReader<CompatibilitySnapshot> {

    private final Supplier<Set<String>> topics;
    private final Supplier<Set<String>> groups;

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
        super("compatibility", sourceProps, targetProps, CompatibilitySnapshot::problem, interval, clock);
        this.topics = topics;
        this.groups = groups;
    }

    @Override
    CompatibilitySnapshot read(ClusterPair clusters) {
        try {
            return CompatibilityComparison.compare(
                    acls(clusters.source, "source"),
                    acls(clusters.target, "target"),
                    topics.get(),
                    groups.get(),
                    quotas(clusters.source, "source"),
                    quotas(clusters.target, "target"));
        } catch (Unreadable e) {
            return CompatibilitySnapshot.failed(e.getMessage());
        }
    }

    private static Optional<Collection<AclBinding>> acls(Admin admin, String side) throws Unreadable {
        try {
            return Optional.of(
                    ClusterPair.get(admin.describeAcls(AclBindingFilter.ANY).values(), side, "DescribeAcls"));
        } catch (Unreadable e) {
            if (e.causedBy(SecurityDisabledException.class)) {
                return Optional.empty();
            }
            if (e.causedBy(ClusterAuthorizationException.class)) {
                throw new Unreadable(
                        "not authorized to describe the " + side + "'s ACLs: the compatibility gate needs Describe on"
                                + " the cluster resource (kafka-cluster) of both clusters; grant it, or set"
                                + " gates.disabled=compatibility",
                        null);
            }
            throw e;
        }
    }

    private static Map<ClientQuotaEntity, Map<String, Double>> quotas(Admin admin, String side) throws Unreadable {
        try {
            return ClusterPair.get(
                    admin.describeClientQuotas(ClientQuotaFilter.all()).entities(), side, "DescribeClientQuotas");
        } catch (Unreadable e) {
            if (e.causedBy(ClusterAuthorizationException.class)) {
                throw new Unreadable(
                        "not authorized to describe the " + side + "'s client quotas: the compatibility gate needs"
                                + " DescribeConfigs on the cluster resource (kafka-cluster) of both clusters; grant"
                                + " it, or set gates.disabled=compatibility",
                        null);
            }
            throw e;
        }
    }
}

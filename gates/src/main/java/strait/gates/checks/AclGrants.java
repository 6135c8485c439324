package strait.gates.checks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One cluster's ACLs, asked what they let a principal do to one named resource, the way Kafka's
 * {@code StandardAuthorizer} decides it: a matching {@code DENY} wins over any {@code ALLOW}; a binding matches a
 * resource when its pattern is the literal name, the wildcard {@code *} or a prefix of the name; its principal when it
 * is the same or {@code User:*}; its host when it is the same or {@code *}; its operation when it is the same or
 * {@code ALL}, and an {@code ALLOW} of {@code READ}, {@code WRITE}, {@code DELETE} or {@code ALTER} also allows
 * {@code DESCRIBE}, of {@code ALTER_CONFIGS} also {@code DESCRIBE_CONFIGS}. Immutable.
 */
final class AclGrants {

    private static final String ANY_PRINCIPAL = "User:*";
    private static final Set<AclOperation> IMPLY_DESCRIBE =
            Set.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER);

    private final Map<ResourceType, List<AclBinding>> byType = new EnumMap<>(ResourceType.class);

    AclGrants(Collection<AclBinding> bindings) {
        for (AclBinding binding : bindings) {
            byType.computeIfAbsent(binding.pattern().resourceType(), t -> new ArrayList<>())
                    .add(binding);
        }
    }

    /** Whether {@code principal} from {@code host} may {@code operation} the resource. */
    boolean allows(String principal, String host, AclOperation operation, ResourceType type, String name) {
        boolean allowed = false;
        for (AclBinding binding : byType.getOrDefault(type, List.of())) {
            AccessControlEntry entry = binding.entry();
            if (!matches(binding.pattern(), name) || !principalMatches(entry, principal) || !hostMatches(entry, host)) {
                continue;
            }
            if (entry.permissionType() == AclPermissionType.DENY && operationMatches(entry.operation(), operation)) {
                return false;
            }
            if (entry.permissionType() == AclPermissionType.ALLOW && allowCovers(entry.operation(), operation)) {
                allowed = true;
            }
        }
        return allowed;
    }

    /** Whether a {@code DENY} binding stops {@code principal} from {@code host} doing {@code operation} there. */
    boolean denies(String principal, String host, AclOperation operation, ResourceType type, String name) {
        for (AclBinding binding : byType.getOrDefault(type, List.of())) {
            AccessControlEntry entry = binding.entry();
            if (entry.permissionType() == AclPermissionType.DENY
                    && matches(binding.pattern(), name)
                    && principalMatches(entry, principal)
                    && hostMatches(entry, host)
                    && operationMatches(entry.operation(), operation)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code pattern} names the resource {@code name} (of the pattern's own type). */
    static boolean matches(ResourcePattern pattern, String name) {
        if (pattern.patternType() == PatternType.LITERAL) {
            return pattern.name().equals(name) || pattern.name().equals(ResourcePattern.WILDCARD_RESOURCE);
        }
        return pattern.patternType() == PatternType.PREFIXED && name.startsWith(pattern.name());
    }

    private static boolean principalMatches(AccessControlEntry entry, String principal) {
        return entry.principal().equals(principal) || entry.principal().equals(ANY_PRINCIPAL);
    }

    private static boolean hostMatches(AccessControlEntry entry, String host) {
        return entry.host().equals(host) || entry.host().equals("*");
    }

    private static boolean operationMatches(AclOperation granted, AclOperation asked) {
        return granted == asked || granted == AclOperation.ALL;
    }

    private static boolean allowCovers(AclOperation granted, AclOperation asked) {
        return operationMatches(granted, asked)
                || (asked == AclOperation.DESCRIBE && IMPLY_DESCRIBE.contains(granted))
                || (asked == AclOperation.DESCRIBE_CONFIGS && granted == AclOperation.ALTER_CONFIGS);
    }
}

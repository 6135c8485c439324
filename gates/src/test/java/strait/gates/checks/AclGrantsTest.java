package strait.gates.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AclGrantsTest {

    @Test
    void aDenyWinsOverAnAllowThroughAnyPattern() {
        AclGrants grants = new AclGrants(List.of(
                binding("User:amy", "orders", PatternType.LITERAL, AclOperation.READ, AclPermissionType.ALLOW),
                binding("User:*", "ord", PatternType.PREFIXED, AclOperation.ALL, AclPermissionType.DENY)));

        assertThat(grants.allows("User:amy", "*", AclOperation.READ, ResourceType.TOPIC, "orders"))
                .isFalse();
        assertThat(grants.denies("User:amy", "*", AclOperation.READ, ResourceType.TOPIC, "orders"))
                .isTrue();
    }

    @Test
    void readImpliesDescribeButADenyOfReadDeniesOnlyRead() {
        AclGrants grants = new AclGrants(List.of(
                binding("User:amy", "orders", PatternType.LITERAL, AclOperation.READ, AclPermissionType.ALLOW),
                binding("User:bob", "*", PatternType.LITERAL, AclOperation.READ, AclPermissionType.DENY)));

        assertThat(grants.allows("User:amy", "*", AclOperation.DESCRIBE, ResourceType.TOPIC, "orders"))
                .isTrue();
        assertThat(grants.allows("User:amy", "*", AclOperation.WRITE, ResourceType.TOPIC, "orders"))
                .isFalse();
        assertThat(grants.denies("User:bob", "*", AclOperation.DESCRIBE, ResourceType.TOPIC, "orders"))
                .isFalse();
    }

    @Test
    void aGrantOnOneHostDoesNotCoverEveryHostNorAnotherResourceType() {
        AclGrants grants = new AclGrants(List.of(new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                new AccessControlEntry("User:amy", "10.0.0.1", AclOperation.READ, AclPermissionType.ALLOW))));

        assertThat(grants.allows("User:amy", "10.0.0.1", AclOperation.READ, ResourceType.TOPIC, "orders"))
                .isTrue();
        assertThat(grants.allows("User:amy", "*", AclOperation.READ, ResourceType.TOPIC, "orders"))
                .isFalse();
        assertThat(grants.allows("User:amy", "10.0.0.1", AclOperation.READ, ResourceType.GROUP, "orders"))
                .isFalse();
    }

    private static AclBinding binding(
            String principal, String name, PatternType pattern, AclOperation op, AclPermissionType permission) {
        return new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, name, pattern),
                new AccessControlEntry(principal, "*", op, permission));
    }
}

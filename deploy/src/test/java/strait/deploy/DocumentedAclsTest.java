package strait.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The README's ACL tables are exact enough for a test to grant them (AclIT), and say what a migration needs. */
class DocumentedAclsTest {

    private static final DocumentedAcls.Link LINK = new DocumentedAcls.Link("User:strait", "orders", "billing", "l1");

    @Test
    void theSourceClusterIsOnlyRead() {
        List<DocumentedAcls.Acl> source = DocumentedAcls.forLink(LINK).stream()
                .filter(a -> a.cluster().equals("source"))
                .toList();

        assertThat(source)
                .extracting(a -> a.binding().entry().operation())
                .contains(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)
                .doesNotContain(
                        AclOperation.WRITE,
                        AclOperation.CREATE,
                        AclOperation.DELETE,
                        AclOperation.ALTER,
                        AclOperation.ALTER_CONFIGS,
                        AclOperation.IDEMPOTENT_WRITE);
    }

    @Test
    void theTargetGrantsWritingTheTopicsTheInternalTopicsTheGroupsAndTheFence() {
        List<String> target = DocumentedAcls.forLink(LINK).stream()
                .filter(a -> a.cluster().equals("target"))
                .map(Object::toString)
                .toList();

        assertThat(target)
                .contains(
                        "target TOPIC:orders CREATE",
                        "target TOPIC:orders WRITE",
                        "target TOPIC:orders READ",
                        "target TOPIC:l1.* CREATE",
                        "target TOPIC:l1.* WRITE",
                        "target TOPIC:l1.* READ",
                        "target GROUP:billing READ",
                        "target TRANSACTIONAL_ID:strait-l1-fence WRITE");
    }

    @Test
    void everyDocumentedAclIsOneOperationOnOneResourceForTheLinksPrincipal() {
        List<DocumentedAcls.Acl> acls = DocumentedAcls.forLink(LINK);

        assertThat(acls).doesNotHaveDuplicates().allSatisfy(acl -> {
            assertThat(acl.binding().entry().principal()).isEqualTo("User:strait");
            assertThat(acl.binding().pattern().resourceType()).isNotIn(ResourceType.ANY, ResourceType.UNKNOWN);
        });
    }

    @Test
    void operationNamesAreReadAsKafkaAclsSpellsThem() {
        assertThat(DocumentedAcls.operation("DescribeConfigs")).isEqualTo(AclOperation.DESCRIBE_CONFIGS);
        assertThat(DocumentedAcls.operation("IdempotentWrite")).isEqualTo(AclOperation.IDEMPOTENT_WRITE);
        assertThat(DocumentedAcls.operation("Read")).isEqualTo(AclOperation.READ);
    }
}

package strait.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs the README's "Deploying" section documents, read from its two tables ("Source cluster", "Target cluster")
 * and turned into Kafka {@link AclBinding}s for one link, so that the ACL test grants exactly what operators are told
 * to grant. One binding per operation, so a test can withhold any single one.
 */
final class DocumentedAcls {

    static final Path README = DeployFiles.DEPLOY.resolve("../README.md").normalize();

    /** Names the documented resources stand for in one test. */
    record Link(String principal, String topic, String group, String linkName) {}

    /** One documented permission on one cluster. */
    record Acl(String cluster, AclBinding binding) {
        @Override
        public String toString() {
            return cluster + " " + binding.pattern().resourceType() + ":"
                    + binding.pattern().name()
                    + (binding.pattern().patternType() == PatternType.PREFIXED ? "*" : "") + " "
                    + binding.entry().operation();
        }
    }

    private static final Pattern ROW = Pattern.compile("^\\| ([^|]+) \\| ([^|]+) \\|");
    private static final Pattern QUOTED = Pattern.compile("`([^`]+)`");

    private DocumentedAcls() {}

    /** Every documented ACL of both clusters, for {@code link}. */
    static List<Acl> forLink(Link link) {
        String readme = DeployFiles.read(README);
        String section = between(readme, "### ACLs", "How these were checked");
        List<Acl> acls = new ArrayList<>();
        acls.addAll(table("source", between(section, "Source cluster", "Target cluster"), link));
        acls.addAll(table("target", section.substring(section.indexOf("Target cluster")), link));
        return acls;
    }

    private static List<Acl> table(String cluster, String text, Link link) {
        List<Acl> acls = new ArrayList<>();
        for (String line : text.lines().toList()) {
            Matcher row = ROW.matcher(line);
            if (!row.find()
                    || row.group(1).strip().equals("resource")
                    || row.group(1).startsWith("---")) {
                continue;
            }
            ResourcePattern pattern = pattern(row.group(1).strip(), link);
            Matcher op = QUOTED.matcher(row.group(2));
            int found = 0;
            while (op.find()) {
                acls.add(new Acl(
                        cluster,
                        new AclBinding(
                                pattern,
                                new AccessControlEntry(
                                        link.principal(), "*", operation(op.group(1)), AclPermissionType.ALLOW))));
                found++;
            }
            if (found == 0) {
                throw new AssertionError("README ACL row names no operation: " + line);
            }
        }
        if (acls.isEmpty()) {
            throw new AssertionError("no ACL rows for the " + cluster + " cluster in " + README);
        }
        return acls;
    }

    private static ResourcePattern pattern(String resource, Link link) {
        if (resource.equals("Cluster")) {
            return new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
        }
        if (resource.startsWith("Topic: every replicated topic")) {
            return new ResourcePattern(ResourceType.TOPIC, link.topic(), PatternType.LITERAL);
        }
        if (resource.startsWith("Topic: prefix `LINK.`")) {
            return new ResourcePattern(ResourceType.TOPIC, link.linkName() + ".", PatternType.PREFIXED);
        }
        if (resource.startsWith("Group: every group")) {
            return new ResourcePattern(ResourceType.GROUP, link.group(), PatternType.LITERAL);
        }
        if (resource.startsWith("TransactionalId: `strait-LINK-fence`")) {
            return new ResourcePattern(
                    ResourceType.TRANSACTIONAL_ID, "strait-" + link.linkName() + "-fence", PatternType.LITERAL);
        }
        throw new AssertionError("README ACL resource this test cannot map: " + resource);
    }

    /** {@code DescribeConfigs} → {@link AclOperation#DESCRIBE_CONFIGS}, as kafka-acls.sh spells them. */
    static AclOperation operation(String name) {
        AclOperation op = AclOperation.fromString(name.replaceAll("([a-z])([A-Z])", "$1_$2"));
        if (op == AclOperation.UNKNOWN || op == AclOperation.ANY || op == AclOperation.ALL) {
            throw new AssertionError("not a single Kafka ACL operation: " + name);
        }
        return op;
    }

    private static String between(String text, String from, String to) {
        int start = text.indexOf(from);
        int end = text.indexOf(to, start + 1);
        if (start < 0 || end < 0) {
            throw new AssertionError("README has no section from '" + from + "' to '" + to + "'");
        }
        return text.substring(start, end);
    }
}

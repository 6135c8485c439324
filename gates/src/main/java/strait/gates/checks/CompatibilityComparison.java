package strait.gates.checks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Compares what the source's ACLs and quotas grant on the link's topics and groups with what the target's grant.
 * Checked per named resource, not per binding, so a target that grants the same through another pattern (a prefix
 * instead of literal names, {@code User:*}) compares equal: for each source binding on a topic or group in scope,
 * and each such topic or group it covers, the target must allow what the source allows and deny what it denies
 * ({@link AclGrants}). Quotas: every source quota whose entity names one of those principals' users must be on the
 * target with the same value. Pure.
 */
final class CompatibilityComparison {

    private static final String USER = ClientQuotaEntity.USER;

    private CompatibilityComparison() {}

    /**
     * @param sourceAcls the source's bindings, empty when it has no authorizer
     * @param targetAcls the target's, empty when it has no authorizer
     */
    static CompatibilitySnapshot compare(
            Optional<Collection<AclBinding>> sourceAcls,
            Optional<Collection<AclBinding>> targetAcls,
            Set<String> topics,
            Set<String> groups,
            Map<ClientQuotaEntity, Map<String, Double>> sourceQuotas,
            Map<ClientQuotaEntity, Map<String, Double>> targetQuotas) {
        Optional<AclGrants> target = targetAcls.map(AclGrants::new);
        Set<String> principals = new TreeSet<>();
        List<AclGap> gaps = new ArrayList<>();
        long gapCount = 0;
        long checks = 0;
        int bindings = 0;
        for (AclBinding binding : sourceAcls.orElse(List.of())) {
            ResourceType type = binding.pattern().resourceType();
            Set<String> named = type == ResourceType.TOPIC ? topics : type == ResourceType.GROUP ? groups : Set.of();
            List<String> covered = named.stream()
                    .filter(n -> AclGrants.matches(binding.pattern(), n))
                    .sorted()
                    .toList();
            if (covered.isEmpty()) {
                continue;
            }
            bindings++;
            String principal = binding.entry().principal();
            principals.add(principal);
            boolean deny = binding.entry().permissionType() == AclPermissionType.DENY;
            for (String resource : covered) {
                checks++;
                boolean honoured = target.map(t -> deny
                                ? t.denies(
                                        principal,
                                        binding.entry().host(),
                                        binding.entry().operation(),
                                        type,
                                        resource)
                                : t.allows(
                                        principal,
                                        binding.entry().host(),
                                        binding.entry().operation(),
                                        type,
                                        resource))
                        // No authorizer on the target: everything is allowed, nothing denied.
                        .orElse(!deny);
                if (!honoured) {
                    gapCount++;
                    if (gaps.size() < CompatibilitySnapshot.SHOWN) {
                        gaps.add(new AclGap(
                                principal,
                                binding.entry().host(),
                                binding.entry().operation().name(),
                                binding.entry().permissionType().name(),
                                type.name(),
                                resource,
                                binding.pattern().patternType().name() + " "
                                        + binding.pattern().name()));
                    }
                }
            }
        }
        List<QuotaGap> quotaGaps = new ArrayList<>();
        int quotaGapCount = 0;
        int quotasCompared = 0;
        Set<String> users = new TreeSet<>();
        principals.stream()
                .filter(p -> p.startsWith("User:") && !p.equals("User:*"))
                .forEach(p -> users.add(p.substring("User:".length())));
        for (Map.Entry<ClientQuotaEntity, Map<String, Double>> quota :
                byName(sourceQuotas).values()) {
            String user = quota.getKey().entries().get(USER);
            if (user == null || !users.contains(user)) {
                continue;
            }
            Map<String, Double> there = targetQuotas.getOrDefault(quota.getKey(), Map.of());
            for (Map.Entry<String, Double> value : new TreeMap<>(quota.getValue()).entrySet()) {
                quotasCompared++;
                Double targetValue = there.get(value.getKey());
                if (!value.getValue().equals(targetValue)) {
                    quotaGapCount++;
                    if (quotaGaps.size() < CompatibilitySnapshot.SHOWN) {
                        quotaGaps.add(new QuotaGap(
                                entity(quota.getKey()),
                                value.getKey(),
                                value.getValue(),
                                Optional.ofNullable(targetValue)));
                    }
                }
            }
        }
        return new CompatibilitySnapshot(
                sourceAcls.isPresent(),
                targetAcls.isPresent(),
                bindings,
                principals.size(),
                checks,
                gaps,
                gapCount,
                quotasCompared,
                quotaGaps,
                quotaGapCount,
                Optional.empty());
    }

    private static TreeMap<String, Map.Entry<ClientQuotaEntity, Map<String, Double>>> byName(
            Map<ClientQuotaEntity, Map<String, Double>> quotas) {
        TreeMap<String, Map.Entry<ClientQuotaEntity, Map<String, Double>>> named = new TreeMap<>();
        quotas.entrySet().forEach(e -> named.put(entity(e.getKey()), e));
        return named;
    }

    /** {@code user=alice,client-id=app}; a default entity as {@code user=<default>}. */
    static String entity(ClientQuotaEntity entity) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(entity.entries()).descendingMap().forEach((type, name) -> {
            if (text.length() > 0) {
                text.append(',');
            }
            text.append(type).append('=').append(name == null ? "<default>" : name);
        });
        return text.toString();
    }
}

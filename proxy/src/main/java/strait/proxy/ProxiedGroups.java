package strait.proxy;

import java.util.Map;
import java.util.Set;

/**
 * The consumer groups whose members reached the source's coordinator through the proxy: what the cutover moves.
 *
 * @param groups every group whose requests to its coordinator went through the proxy (the latest 10,000)
 * @param letGo per moving group, the member ids that have given up their partitions and wait to rejoin
 */
public record ProxiedGroups(Set<String> groups, Map<String, Set<String>> letGo) {
    public ProxiedGroups {
        groups = Set.copyOf(groups);
        letGo = Map.copyOf(letGo);
    }
}

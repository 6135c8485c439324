package strait.proxy;

import java.util.Map;
import java.util.Set;

/**
 * The consumer groups whose members reached the source's coordinator through the proxy: what the cutover moves.
 *
 * @param members per group, every member id seen, with {@code client.id@host} of the client that sent it
 * @param letGo per moving group, the member ids that have given up their partitions and wait to rejoin
 * @param fencedHeartbeats heartbeats the proxy answered with the error that makes a member let go, since start
 */
public record ProxiedGroups(
        Map<String, Map<String, String>> members, Map<String, Set<String>> letGo, long fencedHeartbeats) {
    public ProxiedGroups {
        members = Map.copyOf(members);
        letGo = Map.copyOf(letGo);
    }
}

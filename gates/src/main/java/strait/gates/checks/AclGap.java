package strait.gates.checks;

import io.vertx.core.json.JsonObject;

/**
 * A source ACL the target does not honour for one replicated topic or group in scope: the target does not allow what
 * the source allows, or does not deny what the source denies.
 *
 * @param permission {@code ALLOW} or {@code DENY}, as on the source
 * @param resourceType {@code TOPIC} or {@code GROUP}
 * @param sourcePattern the source binding's pattern, e.g. {@code PREFIXED orders.}
 */
public record AclGap(
        String principal,
        String host,
        String operation,
        String permission,
        String resourceType,
        String resource,
        String sourcePattern) {

    /** One line for a reason: {@code User:alice may READ topic orders on the source but not on the target}. */
    public String describe() {
        String what = resourceType.toLowerCase(java.util.Locale.ROOT) + " " + resource;
        String from = host.equals("*") ? "" : " from " + host;
        return permission.equals("DENY")
                ? principal + from + " is denied " + operation + " on " + what + " on the source but not on the target"
                : principal + from + " may " + operation + " " + what + " on the source but not on the target";
    }

    JsonObject toJson() {
        return new JsonObject()
                .put("principal", principal)
                .put("host", host)
                .put("operation", operation)
                .put("permission", permission)
                .put("resourceType", resourceType)
                .put("resource", resource)
                .put("sourcePattern", sourcePattern);
    }
}

package strait.proxy.internal;

/** A broker's real address, as the upstream cluster advertises it. */
public record HostPort(String host, int port) {

    /** Parses one {@code host:port} of a {@code bootstrap.servers} list (IPv6 in brackets). */
    public static HostPort parse(String address) {
        String trimmed = address.strip();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException("not host:port: " + address);
        }
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new HostPort(host, Integer.parseInt(trimmed.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}

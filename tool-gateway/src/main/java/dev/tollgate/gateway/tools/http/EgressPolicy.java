package dev.tollgate.gateway.tools.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The egress allowlist of {@code http.fetch}: entries {@code scheme://host:port/path-prefix}; nothing else is
 * reachable.
 *
 * <p><b>URL rule.</b> A URL is allowed when some entry has the same scheme, the same host (case-insensitive), the
 * same port (the scheme's default when omitted) and a path prefix the URL's path starts with, at a segment
 * boundary: {@code /v1/} allows {@code /v1/x}, {@code /v1} allows {@code /v1} and {@code /v1/x} but not
 * {@code /v1x}. URLs with user info, with {@code ..} or encoded dots or slashes in the path, or without a host are
 * refused.
 *
 * <p><b>DNS rule.</b> When the entry's host is an IP literal, the URL must name that literal and nothing is
 * resolved. When it is {@code localhost}, every address it resolves to must be loopback. Any other name must
 * resolve only to public unicast addresses: an answer containing a loopback, link-local (cloud metadata included),
 * site-local/private, unique-local, carrier-grade NAT, wildcard or multicast address is refused, so a public name
 * cannot be pointed at the inside network. (The HTTP client resolves the name again when it connects; a DNS answer
 * that changes in between, "rebinding", is not caught: see docs/architecture.md.)
 */
public final class EgressPolicy {

    /** Resolves host names; replaceable in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private record Entry(String scheme, String host, int port, String pathPrefix, boolean literal) {
    }

    private final List<Entry> entries;
    private final Resolver resolver;

    private EgressPolicy(List<Entry> entries, Resolver resolver) {
        this.entries = List.copyOf(entries);
        this.resolver = resolver;
    }

    /** Parses the allowlist; a malformed entry is an error. */
    public static EgressPolicy parse(List<String> allow) {
        return parse(allow, InetAddress::getAllByName);
    }

    public static EgressPolicy parse(List<String> allow, Resolver resolver) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : allow) {
            URI uri;
            try {
                uri = new URI(raw);
            } catch (Exception e) {
                throw new IllegalArgumentException("egress.allow entry '" + raw + "' is not a URL", e);
            }
            String scheme = lower(uri.getScheme());
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new IllegalArgumentException("egress.allow entry '" + raw + "' must be http or https");
            }
            if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
                throw new IllegalArgumentException("egress.allow entry '" + raw
                        + "' must be scheme://host[:port]/path-prefix");
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            String host = hostOf(uri);
            entries.add(new Entry(scheme, host, portOf(uri), path, isLiteral(host)));
        }
        return new EgressPolicy(entries, resolver);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Checks a URL against the allowlist and its host's DNS answers.
     *
     * @throws EgressDeniedException with a message saying which rule refused it
     */
    public void check(URI uri) throws EgressDeniedException {
        Entry entry = match(uri);
        if (entry.literal()) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(entry.host());
        } catch (UnknownHostException e) {
            throw new EgressDeniedException("host '" + entry.host() + "' does not resolve");
        }
        boolean localhost = "localhost".equals(entry.host());
        for (InetAddress address : addresses) {
            boolean allowed = localhost ? address.isLoopbackAddress() : isPublic(address);
            if (!allowed) {
                throw new EgressDeniedException("host '" + entry.host() + "' resolves to "
                        + address.getHostAddress() + ", which is not a permitted address for it (DNS rule)");
            }
        }
    }

    private Entry match(URI uri) throws EgressDeniedException {
        String scheme = lower(uri.getScheme());
        String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new EgressDeniedException("URL '" + safe(uri) + "' must have a host and no user info");
        }
        String lowerPath = rawPath.toLowerCase(Locale.ROOT);
        if (rawPath.contains("/../") || rawPath.endsWith("/..") || rawPath.contains("/./")
                || lowerPath.contains("%2e") || lowerPath.contains("%2f") || lowerPath.contains("%5c")
                || rawPath.contains("\\")) {
            throw new EgressDeniedException("URL '" + safe(uri) + "' has dot segments or encoded separators");
        }
        String host = hostOf(uri);
        int port = portOf(uri);
        for (Entry entry : entries) {
            if (entry.scheme().equals(scheme) && entry.host().equals(host) && entry.port() == port
                    && pathAllowed(rawPath, entry.pathPrefix())) {
                return entry;
            }
        }
        throw new EgressDeniedException("URL '" + safe(uri) + "' is not in the egress allowlist ("
                + scheme + "://" + host + ":" + port + rawPath + ")");
    }

    private static boolean pathAllowed(String path, String prefix) {
        if (prefix.endsWith("/")) {
            return path.startsWith(prefix);
        }
        return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            boolean cgnat = first == 100 && second >= 64 && second <= 127;
            boolean reserved = first == 0 || first >= 240 || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
                    || (first == 198 && (second == 18 || second == 19));
            return !cgnat && !reserved;
        }
        if (address instanceof Inet6Address) {
            boolean uniqueLocal = (b[0] & 0xfe) == 0xfc;
            boolean mappedOrCompat = true;
            for (int i = 0; i < 10; i++) {
                mappedOrCompat &= b[i] == 0;
            }
            return !uniqueLocal && !mappedOrCompat;
        }
        return false;
    }

    private static String hostOf(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int portOf(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equals(lower(uri.getScheme())) ? 443 : 80;
    }

    private static boolean isLiteral(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    private static String safe(URI uri) {
        String s = uri.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}

package dev.tollgate.gateway.tools.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * {@code /v1x}. URLs with user info or without a host are refused.
 *
 * <p><b>Canonical paths.</b> The path is matched, and sent, only in its canonical form ({@link #canonical(URI)}):
 * each segment is percent-decoded once and refused ({@code EGRESS_PATH_NOT_CANONICAL}) when it is a dot segment
 * ({@code .} or {@code ..}, encoded or not), carries a {@code ;} parameter ({@code ..;}, {@code a;b}, encoded or
 * not), hides a separator ({@code %2F}, {@code %5C}, a backslash), an encoded percent sign ({@code %25}: double
 * encoding such as {@code %252e%252e}) or a control character, or is not UTF-8; then it is re-encoded the one way
 * (unreserved characters literal, everything else {@code %XX} upper case). So what the allowlist saw is exactly
 * what the upstream receives: no server can resolve the path to somewhere else.
 *
 * <p><b>DNS rule.</b> When the entry's host is an IP literal, the URL must name that literal and nothing is
 * resolved. When it is {@code localhost}, every address it resolves to must be loopback. Any other name must
 * resolve only to public unicast addresses: an answer containing a loopback, link-local (cloud metadata included),
 * site-local/private, unique-local, carrier-grade NAT, wildcard or multicast address is refused, so a public name
 * cannot be pointed at the inside network. (The HTTP client resolves the name again when it connects; a DNS answer
 * that changes in between, "rebinding", is not caught: see docs/architecture.md.)
 */
public final class EgressPolicy {

    /** The stable code of a denial by the allowlist or the DNS rule. */
    public static final String EGRESS_DENIED = "EGRESS_DENIED";
    /** The stable code of a path refused before matching because it has no single meaning. */
    public static final String PATH_NOT_CANONICAL = "EGRESS_PATH_NOT_CANONICAL";

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
            String path;
            try {
                path = canonicalPath(uri.getRawPath());
            } catch (EgressDeniedException e) {
                throw new IllegalArgumentException("egress.allow entry '" + raw + "' " + e.detail(), e);
            }
            String host = hostOf(uri);
            entries.add(new Entry(scheme, host, portOf(uri), path, isLiteral(host)));
        }
        return new EgressPolicy(entries, resolver);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Checks a URL against the allowlist and its host's DNS answers and returns its canonical form, the URL to send.
     *
     * @throws EgressDeniedException with a message that starts with the stable code and says which rule refused it
     */
    public URI check(URI uri) throws EgressDeniedException {
        URI canonical = canonical(uri);
        Entry entry = match(canonical);
        if (entry.literal()) {
            return canonical;
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(entry.host());
        } catch (UnknownHostException e) {
            throw new EgressDeniedException(EGRESS_DENIED, "host '" + entry.host() + "' does not resolve");
        }
        boolean localhost = "localhost".equals(entry.host());
        for (InetAddress address : addresses) {
            boolean allowed = localhost ? address.isLoopbackAddress() : isPublic(address);
            if (!allowed) {
                throw new EgressDeniedException(EGRESS_DENIED, "host '" + entry.host() + "' resolves to "
                        + address.getHostAddress() + ", which is not a permitted address for it (DNS rule)");
            }
        }
        return canonical;
    }

    /**
     * The canonical form of an absolute URL: scheme and host in lower case, the path decoded once, checked and
     * re-encoded (see the class comment), the query as given, no fragment.
     *
     * @throws EgressDeniedException ({@code EGRESS_PATH_NOT_CANONICAL}) for a path without a single meaning, or
     *     ({@code EGRESS_DENIED}) for a URL without a host or with user info
     */
    public static URI canonical(URI uri) throws EgressDeniedException {
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new EgressDeniedException(EGRESS_DENIED, "URL '" + safe(uri) + "' must have a host and no user info");
        }
        String path;
        try {
            path = canonicalPath(uri.getRawPath());
        } catch (EgressDeniedException e) {
            throw new EgressDeniedException(PATH_NOT_CANONICAL, "URL '" + safe(uri) + "' " + e.detail());
        }
        String host = hostOf(uri);
        StringBuilder out = new StringBuilder(lower(uri.getScheme())).append("://")
                .append(host.contains(":") ? "[" + host + "]" : host);
        if (uri.getPort() >= 0) {
            out.append(':').append(uri.getPort());
        }
        out.append(path);
        if (uri.getRawQuery() != null) {
            out.append('?').append(uri.getRawQuery());
        }
        try {
            return new URI(out.toString());
        } catch (URISyntaxException e) {
            throw new EgressDeniedException(PATH_NOT_CANONICAL, "URL '" + safe(uri) + "' has no canonical form");
        }
    }

    /** The raw path decoded once per segment, checked, and re-encoded; the message says what was refused. */
    static String canonicalPath(String rawPath) throws EgressDeniedException {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        if (rawPath.indexOf('\\') >= 0) {
            throw new EgressDeniedException(PATH_NOT_CANONICAL, "has a backslash in its path");
        }
        StringBuilder out = new StringBuilder();
        String[] segments = rawPath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            String raw = segments[i];
            if (raw.indexOf(';') >= 0) {
                throw new EgressDeniedException(PATH_NOT_CANONICAL, "has a ';' parameter in path segment '"
                        + raw + "'");
            }
            String decoded = decodeOnce(raw);
            if (decoded.equals(".") || decoded.equals("..")) {
                throw new EgressDeniedException(PATH_NOT_CANONICAL, "has a dot segment '" + raw + "' in its path");
            }
            for (int c = 0; c < decoded.length(); c++) {
                char ch = decoded.charAt(c);
                String problem = switch (ch) {
                    case '/', '\\' -> "an encoded separator";
                    case '%' -> "an encoded percent sign (double encoding)";
                    case ';' -> "an encoded ';' parameter";
                    default -> ch < 0x20 || ch == 0x7f ? "a control character" : null;
                };
                if (problem != null) {
                    throw new EgressDeniedException(PATH_NOT_CANONICAL, "has " + problem + " in path segment '"
                            + raw + "'");
                }
            }
            encode(decoded, out);
        }
        return out.toString();
    }

    private static String decodeOnce(String raw) throws EgressDeniedException {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char ch = raw.charAt(i);
            if (ch == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new EgressDeniedException(PATH_NOT_CANONICAL, "has a malformed escape in path segment '"
                            + raw + "'");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(ch).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new EgressDeniedException(PATH_NOT_CANONICAL, "has a path segment '" + raw + "' that is not UTF-8");
        }
    }

    /** RFC 3986 pchar without ';': unreserved, the other sub-delims, ':' and '@' literal; every other byte %XX. */
    private static void encode(String segment, StringBuilder out) {
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean literal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,=:@".indexOf(c) >= 0;
            if (literal) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
    }

    private Entry match(URI uri) throws EgressDeniedException {
        String scheme = lower(uri.getScheme());
        String rawPath = uri.getRawPath();
        String host = hostOf(uri);
        int port = portOf(uri);
        for (Entry entry : entries) {
            if (entry.scheme().equals(scheme) && entry.host().equals(host) && entry.port() == port
                    && pathAllowed(rawPath, entry.pathPrefix())) {
                return entry;
            }
        }
        throw new EgressDeniedException(EGRESS_DENIED, "URL '" + safe(uri) + "' is not in the egress allowlist ("
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

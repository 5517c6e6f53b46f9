package dev.tollgate.intake.mcp;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Origin allow-list of {@code /mcp} (the MCP spec's defence against DNS rebinding): a request that carries an
 * {@code Origin} header must name an allowed origin; a request without one (a non-browser client) passes. Entries
 * are exact origins ({@code https://app.example.com}) or an origin with any port ({@code http://localhost:*}).
 */
final class OriginPolicy {

    private record Entry(String scheme, String host, String port) {
    }

    private final List<Entry> entries;

    private OriginPolicy(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** From the comma-separated config value; blank entries are ignored, malformed ones refused. */
    static OriginPolicy parse(String list) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : list.split(",")) {
            String text = raw.trim();
            if (text.isEmpty()) {
                continue;
            }
            Entry entry = entry(text.endsWith(":*") ? text.substring(0, text.length() - 2) : text,
                    text.endsWith(":*"));
            if (entry == null) {
                throw new IllegalArgumentException("mcp.allowed.origins: not an origin: " + text);
            }
            entries.add(entry);
        }
        return new OriginPolicy(entries);
    }

    /** Whether a request with this Origin header (null when absent) may use the endpoint. */
    boolean allows(String origin) {
        if (origin == null) {
            return true;
        }
        Entry given = entry(origin.trim(), false);
        if (given == null) {
            return false;
        }
        for (Entry allowed : entries) {
            if (allowed.scheme().equals(given.scheme()) && allowed.host().equals(given.host())
                    && (allowed.port().equals("*") || allowed.port().equals(given.port()))) {
                return true;
            }
        }
        return false;
    }

    private static Entry entry(String text, boolean anyPort) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (Exception e) {
            return null;
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null || uri.getUserInfo() != null || uri.getQuery() != null
                || uri.getFragment() != null || (uri.getPath() != null && !uri.getPath().isEmpty())) {
            return null;
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return null;
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return new Entry(scheme, host.toLowerCase(Locale.ROOT), anyPort ? "*" : Integer.toString(port));
    }
}

package dev.tollgate.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code mcp.servers} and {@code http_tools} sections of the gateway config, checked and with their
 * {@code ${secret:...}}/{@code ${env:...}} references resolved. Every problem is an {@link IllegalArgumentException}
 * naming the entry and the field (never a resolved value).
 */
final class UpstreamSpecs {

    static final Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final Pattern TOOL_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$");
    private static final Set<String> SERVER_KEYS = Set.of("name", "command", "env", "url", "headers", "timeout");
    private static final Set<String> HTTP_KEYS = Set.of("name", "method", "url", "headers", "body", "timeout",
            "description");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    /** One upstream MCP server: stdio when {@code command} is set, Streamable HTTP when {@code url} is. */
    record McpServerSpec(String name, List<String> command, Map<String, String> env, String url,
                         Map<String, String> headers, Optional<Duration> timeout) {
        boolean stdio() {
            return !command.isEmpty();
        }
    }

    /** One REST endpoint as a tool. {@code bodyArgs}: the call's arguments are the JSON body. */
    record HttpToolSpec(String name, String method, String url, Map<String, String> headers, boolean bodyArgs,
                        Optional<Duration> timeout, String description) {
    }

    private UpstreamSpecs() {
    }

    static List<McpServerSpec> servers(JsonNode mcp, Secrets secrets) {
        if (mcp == null || mcp.isMissingNode() || mcp.isNull()) {
            return List.of();
        }
        if (!mcp.isObject()) {
            throw new IllegalArgumentException("mcp must be a mapping with a servers: list");
        }
        mcp.fieldNames().forEachRemaining(k -> {
            if (!"servers".equals(k)) {
                throw new IllegalArgumentException("unknown key mcp." + k + " (only mcp.servers)");
            }
        });
        JsonNode list = mcp.path("servers");
        if (list.isMissingNode() || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException("mcp.servers must be a list");
        }
        List<McpServerSpec> servers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode entry : list) {
            String at = "mcp.servers[" + index++ + "]";
            if (!entry.isObject()) {
                throw new IllegalArgumentException(at + " must be a mapping");
            }
            onlyKeys(entry, at, SERVER_KEYS);
            String name = entry.path("name").asText("");
            if (!SERVER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(at + ".name must be 1-64 letters, digits, '_' or '-', was '"
                        + name + "'");
            }
            at = "mcp.servers[" + name + "]";
            if (!names.add(name)) {
                throw new IllegalArgumentException("two mcp servers are named '" + name + "'");
            }
            List<String> command = new ArrayList<>();
            if (entry.has("command")) {
                if (!entry.get("command").isArray() || entry.get("command").isEmpty()) {
                    throw new IllegalArgumentException(at + ".command must be a non-empty list, like [\"npx\", \"-y\","
                            + " \"@modelcontextprotocol/server-filesystem\", \"/srv/share\"]");
                }
                for (JsonNode part : entry.get("command")) {
                    command.add(secrets.resolve(part.asText(), at + ".command"));
                }
            }
            String url = entry.has("url") ? secrets.resolve(entry.get("url").asText(), at + ".url") : null;
            if (command.isEmpty() == (url == null)) {
                throw new IllegalArgumentException(at + " needs exactly one of command (stdio) and url"
                        + " (Streamable HTTP)");
            }
            if (url != null) {
                checkHttpUrl(url, at + ".url");
            }
            Map<String, String> env = stringMap(entry.path("env"), at + ".env", secrets);
            Map<String, String> headers = stringMap(entry.path("headers"), at + ".headers", secrets);
            if (url == null && !headers.isEmpty()) {
                throw new IllegalArgumentException(at + ".headers apply to a url server only");
            }
            if (url != null && !env.isEmpty()) {
                throw new IllegalArgumentException(at + ".env applies to a command (stdio) server only");
            }
            servers.add(new McpServerSpec(name, List.copyOf(command), env, url, headers,
                    duration(entry.path("timeout"), at + ".timeout")));
        }
        return servers;
    }

    static List<HttpToolSpec> httpTools(JsonNode section, Secrets secrets) {
        if (section == null || section.isMissingNode() || section.isNull()) {
            return List.of();
        }
        if (!section.isArray()) {
            throw new IllegalArgumentException("http_tools must be a list");
        }
        List<HttpToolSpec> tools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode entry : section) {
            String at = "http_tools[" + index++ + "]";
            if (!entry.isObject()) {
                throw new IllegalArgumentException(at + " must be a mapping");
            }
            onlyKeys(entry, at, HTTP_KEYS);
            String name = entry.path("name").asText("");
            if (!TOOL_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(at + ".name must be a tool name like tickets.create, was '"
                        + name + "'");
            }
            at = "http_tools[" + name + "]";
            if (!names.add(name)) {
                throw new IllegalArgumentException("two http_tools are named '" + name + "'");
            }
            String method = entry.path("method").asText("GET").toUpperCase(java.util.Locale.ROOT);
            if (!METHODS.contains(method)) {
                throw new IllegalArgumentException(at + ".method must be one of " + METHODS + ", was " + method);
            }
            if (!entry.has("url")) {
                throw new IllegalArgumentException(at + ".url is required");
            }
            String url = secrets.resolve(entry.get("url").asText(), at + ".url");
            checkHttpUrl(url.replaceAll("\\{[A-Za-z0-9_]+}", "x"), at + ".url");
            String body = entry.path("body").asText("none");
            if (!body.equals("args") && !body.equals("none")) {
                throw new IllegalArgumentException(at + ".body must be 'args' (the arguments as the JSON body) or"
                        + " 'none'");
            }
            if (body.equals("args") && (method.equals("GET") || method.equals("DELETE"))) {
                throw new IllegalArgumentException(at + ": a " + method + " has no body; remove body: args");
            }
            tools.add(new HttpToolSpec(name, method, url, stringMap(entry.path("headers"), at + ".headers", secrets),
                    body.equals("args"), duration(entry.path("timeout"), at + ".timeout"),
                    entry.path("description").asText(null)));
        }
        return tools;
    }

    private static void onlyKeys(JsonNode entry, String at, Set<String> allowed) {
        entry.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("unknown key " + at + "." + k + " (allowed: "
                        + new java.util.TreeSet<>(allowed) + ")");
            }
        });
    }

    private static Map<String, String> stringMap(JsonNode node, String at, Secrets secrets) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(at + " must be a mapping of names to strings");
        }
        node.properties().forEach(e -> {
            if (!e.getValue().isValueNode()) {
                throw new IllegalArgumentException(at + "." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), secrets.resolve(e.getValue().asText(), at + "." + e.getKey()));
        });
        return out;
    }

    private static Optional<Duration> duration(JsonNode node, String at) {
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        try {
            Duration d = Duration.parse(node.asText());
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(at + " must be positive, was " + node.asText());
            }
            return Optional.of(d);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(at + " is not an ISO-8601 duration (like PT20S): " + node.asText());
        }
    }

    private static void checkHttpUrl(String url, String at) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + " is not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException(at + " must be an http(s) URL with a host");
        }
    }
}

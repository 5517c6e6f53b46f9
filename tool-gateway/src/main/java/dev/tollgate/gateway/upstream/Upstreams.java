package dev.tollgate.gateway.upstream;

import dev.tollgate.events.ToolDefinition;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolRegistry;
import dev.tollgate.gateway.tools.http.EgressPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own tools beyond the built-ins: the upstream MCP servers of {@code mcp.servers} (their tools are
 * {@code <server>.<tool>}) and the REST endpoints of {@code http_tools}. Resolves secrets, connects every server at
 * start, refuses a name that collides with another tool (naming both), and hands every upstream tool definition to
 * the catalog sink (which publishes {@code tollgate.tool-catalog.v1}).
 */
public final class Upstreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Upstreams.class);

    private final List<McpUpstream> servers;
    private final ToolRegistry registry;

    private Upstreams(List<McpUpstream> servers, ToolRegistry registry) {
        this.servers = servers;
        this.registry = registry;
    }

    /**
     * Builds the registry of {@code builtIns} plus the configured upstream tools.
     *
     * @param catalog receives the definitions of a server's tools whenever they change (at connect, on
     *                {@code tools/list_changed}, on a refresh that finds a difference)
     * @throws IllegalArgumentException for a bad section, an unknown secret, or a tool name collision
     */
    public static Upstreams start(GatewayConfig config, ToolRegistry builtIns, Consumer<List<ToolDefinition>> catalog,
                                  Clock clock) {
        Secrets secrets = Secrets.from(config.secrets());
        List<UpstreamSpecs.McpServerSpec> serverSpecs = UpstreamSpecs.servers(config.mcpSection(), secrets);
        List<UpstreamSpecs.HttpToolSpec> httpSpecs = UpstreamSpecs.httpTools(config.httpToolsSection(), secrets);

        Map<String, String> owners = new LinkedHashMap<>();
        builtIns.all().forEach(t -> owners.put(t.name(), "the built-in tool " + t.name()));
        ToolRegistry.Builder builder = builtIns.toBuilder();
        EgressPolicy egress = EgressPolicy.parse(config.egressAllow());
        for (UpstreamSpecs.HttpToolSpec spec : httpSpecs) {
            claim(owners, spec.name(), "http_tools entry " + spec.name());
            builder.add(new HttpApiTool(spec, egress, config.maxResultBytes()));
        }
        List<McpUpstream> servers = new ArrayList<>();
        try {
            for (UpstreamSpecs.McpServerSpec spec : serverSpecs) {
                Duration requestTimeout = config.maxTimeout().plus(spec.timeout().orElse(Duration.ZERO))
                        .plusSeconds(5);
                McpUpstream upstream = new McpUpstream(spec, requestTimeout, config.gatewayId(), catalog, clock);
                servers.add(upstream);
                if (!upstream.start()) {
                    LOG.warn("mcp server {} is not reachable at start; its calls fail until it connects", spec.name());
                }
                for (String tool : upstream.tools().keySet()) {
                    claim(owners, spec.name() + "." + tool, "tool " + tool + " of mcp server " + spec.name());
                }
            }
        } catch (RuntimeException e) {
            servers.forEach(McpUpstream::close);
            throw e;
        }
        Map<String, McpUpstream> byName = new LinkedHashMap<>();
        servers.forEach(s -> byName.put(s.name(), s));
        ToolRegistry fixed = builder.build();
        builder.addSource(new McpSource(byName, fixed, config.maxResultBytes()));
        LOG.info("upstream tools: {} mcp server(s), {} http tool(s)", servers.size(), httpSpecs.size());
        return new Upstreams(servers, builder.build());
    }

    private static void claim(Map<String, String> owners, String name, String owner) {
        String previous = owners.putIfAbsent(name, owner);
        if (previous != null) {
            throw new IllegalArgumentException("tool name collision: " + name + " is both " + previous + " and "
                    + owner + "; rename the server or the tool");
        }
    }

    /** Every tool: built-ins, REST tools and the upstream servers' current tools. */
    public ToolRegistry registry() {
        return registry;
    }

    /** The current catalog definitions of every connected server's tools, by name. */
    public Map<String, ToolDefinition> definitions() {
        Map<String, ToolDefinition> all = new LinkedHashMap<>();
        servers.forEach(s -> all.putAll(s.definitions()));
        return all;
    }

    @Override
    public void close() {
        servers.forEach(McpUpstream::close);
    }

    /** Resolves {@code <server>.<tool>} against the servers' current tool lists. */
    private record McpSource(Map<String, McpUpstream> servers, ToolRegistry fixed, int maxResultBytes)
            implements ToolRegistry.Source {

        @Override
        public Optional<Tool> find(String name) {
            int dot = name.indexOf('.');
            if (dot <= 0) {
                return Optional.empty();
            }
            McpUpstream server = servers.get(name.substring(0, dot));
            String tool = name.substring(dot + 1);
            if (server == null || fixed.find(name).isPresent()) {
                return Optional.empty();
            }
            // A server that is down still owns its names: the call fails saying so rather than "unknown tool".
            if (server.connected() && !server.tools().containsKey(tool)) {
                return Optional.empty();
            }
            return Optional.of(new McpUpstreamTool(server, tool, maxResultBytes));
        }

        @Override
        public Collection<Tool> all() {
            List<Tool> all = new ArrayList<>();
            servers.values().forEach(s -> s.tools().keySet().forEach(t -> {
                if (fixed.find(s.name() + "." + t).isEmpty()) {
                    all.add(new McpUpstreamTool(s, t, maxResultBytes));
                }
            }));
            return all;
        }
    }
}

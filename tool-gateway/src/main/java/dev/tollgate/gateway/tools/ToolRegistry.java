package dev.tollgate.gateway.tools;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.tools.docs.ReadRepoTool;
import dev.tollgate.gateway.tools.docs.SearchDocsTool;
import dev.tollgate.gateway.tools.echo.EchoTool;
import dev.tollgate.gateway.tools.fs.FsReadTool;
import dev.tollgate.gateway.tools.http.EgressPolicy;
import dev.tollgate.gateway.tools.http.HttpFetchTool;
import dev.tollgate.gateway.tools.outbox.OutboxTool;
import dev.tollgate.gateway.tools.outbox.Outbox;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tools one gateway offers, by name: a fixed set (the built-ins, REST tools) plus, optionally, a source of tools
 * whose set changes at run time (the upstream MCP servers).
 */
public final class ToolRegistry {

    /** Tools that come and go (an upstream's {@code tools/list} changes); looked up after the fixed tools. */
    public interface Source {
        Optional<Tool> find(String name);

        Collection<Tool> all();
    }

    private final Map<String, Tool> tools;
    private final List<Source> sources;

    private ToolRegistry(Map<String, Tool> tools, List<Source> sources) {
        this.tools = Map.copyOf(tools);
        this.sources = List.copyOf(sources);
    }

    /** The built-in tools, constrained by {@code config}. */
    public static ToolRegistry builtIns(GatewayConfig config) {
        Outbox outbox = new Outbox(config.outbox());
        int cap = config.maxResultBytes();
        return builder()
                .add(new HttpFetchTool(EgressPolicy.parse(config.egressAllow()), cap))
                .add(new FsReadTool(config.fsRoot(), cap))
                .add(new SearchDocsTool(config.docsRoot(), cap))
                .add(new ReadRepoTool(config.docsRoot(), cap))
                .add(OutboxTool.ticketsUpdate(outbox))
                .add(OutboxTool.emailSend(outbox))
                .add(new EchoTool())
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this registry's tools. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.tools.putAll(tools);
        builder.sources.addAll(sources);
        return builder;
    }

    public Optional<Tool> find(String name) {
        Tool tool = tools.get(name);
        if (tool != null) {
            return Optional.of(tool);
        }
        for (Source source : sources) {
            Optional<Tool> found = source.find(name);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    public Collection<Tool> all() {
        List<Tool> all = new ArrayList<>(tools.values());
        sources.forEach(s -> all.addAll(s.all()));
        return all;
    }

    /** Builds a {@link ToolRegistry}; a later tool with the same name replaces an earlier one. */
    public static final class Builder {

        private final Map<String, Tool> tools = new LinkedHashMap<>();
        private final List<Source> sources = new ArrayList<>();

        public Builder add(Tool tool) {
            tools.put(tool.name(), tool);
            return this;
        }

        /** Adds a source of tools that change at run time, consulted after the fixed tools. */
        public Builder addSource(Source source) {
            sources.add(source);
            return this;
        }

        public ToolRegistry build() {
            return new ToolRegistry(tools, sources);
        }
    }
}

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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The tools one gateway offers, by name. Immutable once built. */
public final class ToolRegistry {

    private final Map<String, Tool> tools;

    private ToolRegistry(Map<String, Tool> tools) {
        this.tools = Map.copyOf(tools);
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
        return builder;
    }

    public Optional<Tool> find(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    public Collection<Tool> all() {
        return tools.values();
    }

    /** Builds a {@link ToolRegistry}; a later tool with the same name replaces an earlier one. */
    public static final class Builder {

        private final Map<String, Tool> tools = new LinkedHashMap<>();

        public Builder add(Tool tool) {
            tools.put(tool.name(), tool);
            return this;
        }

        public ToolRegistry build() {
            return new ToolRegistry(tools);
        }
    }
}

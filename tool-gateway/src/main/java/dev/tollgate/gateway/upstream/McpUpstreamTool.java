package dev.tollgate.gateway.upstream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.ToolDefinition;
import dev.tollgate.gateway.tools.ResultTooLargeException;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.ToolException;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code <server>.<tool>} of an upstream MCP server, run as {@code tools/call}.
 *
 * <p><b>Result.</b> The upstream's {@code CallToolResult} as the SDK writes it ({@code content}, and
 * {@code structuredContent} when present), unchanged, so the MCP endpoint can hand it to the agent. An upstream
 * {@code isError: true} is a failure whose message is the result's text.
 *
 * <p><b>Idempotency.</b> Always at most once: an upstream's {@code idempotentHint} is the upstream's claim, which
 * the gateway cannot check, so every call records its start durably first, is never retried, and after a crash is
 * reported {@code OUTCOME_UNKNOWN}.
 */
final class McpUpstreamTool implements Tool {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JacksonMcpJsonMapper JSON = new JacksonMcpJsonMapper(MAPPER);
    private static final int MAX_ERROR_TEXT = 2000;

    private final McpUpstream upstream;
    private final String upstreamName;
    private final int maxResultBytes;

    McpUpstreamTool(McpUpstream upstream, String upstreamName, int maxResultBytes) {
        this.upstream = upstream;
        this.upstreamName = upstreamName;
        this.maxResultBytes = maxResultBytes;
    }

    @Override
    public String name() {
        return upstream.name() + "." + upstreamName;
    }

    /** The upstream's input schema as last listed; {@code {}} while the server is not connected. */
    @Override
    public String argsSchemaJson() {
        ToolDefinition def = upstream.definitions().get(name());
        return def == null ? "{}" : def.getInputSchemaJson();
    }

    @Override
    public boolean idempotent() {
        return false;
    }

    @Override
    public Optional<Duration> timeout() {
        return upstream.timeout();
    }

    @Override
    public Optional<String> currentDefinitionSha256() throws ToolException {
        ToolDefinition def = upstream.refresh().get(name());
        return def == null ? Optional.empty() : Optional.of(def.getSha256());
    }

    @Override
    public JsonNode execute(ToolCall call) throws Exception {
        Map<String, Object> args = MAPPER.convertValue(call.args(), new TypeReference<Map<String, Object>>() { });
        McpSchema.CallToolResult result = upstream.call(upstreamName, args == null ? Map.of() : args);
        if (result == null) {
            throw new UpstreamException(UpstreamException.Kind.PROTOCOL_ERROR, "upstream tool " + name()
                    + " returned no result", false, null);
        }
        if (Boolean.TRUE.equals(result.isError())) {
            String text = result.content() == null ? "" : result.content().stream()
                    .filter(c -> c instanceof McpSchema.TextContent)
                    .map(c -> ((McpSchema.TextContent) c).text())
                    .collect(Collectors.joining("\n"));
            if (text.length() > MAX_ERROR_TEXT) {
                text = text.substring(0, MAX_ERROR_TEXT) + "...";
            }
            throw new UpstreamException(UpstreamException.Kind.TOOL_ERROR, "upstream tool " + name()
                    + " reported an error: " + (text.isBlank() ? "(no text)" : text), false, null);
        }
        String json = JSON.writeValueAsString(result);
        if (json.length() > maxResultBytes) {
            throw new ResultTooLargeException("upstream tool " + name() + " returned " + json.length()
                    + " characters, more than the result cap of " + maxResultBytes + " bytes");
        }
        return MAPPER.readTree(json);
    }
}

package dev.tollgate.gateway.tools.echo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;

/** {@code echo {any}}: returns its arguments as {@code {"echo": args}}. No side effect. */
public final class EchoTool implements Tool {

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String argsSchemaJson() {
        return "{\"type\": \"object\"}";
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public JsonNode execute(ToolCall call) {
        return JsonNodeFactory.instance.objectNode().set("echo", call.args());
    }
}

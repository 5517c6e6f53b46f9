package dev.tollgate.gateway.tools.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;

/**
 * {@code email.send {to, subject}}: queues the mail in the outbox (one line per call). Not idempotent: the gateway
 * runs it at most once per call.
 */
public final class EmailSendTool implements Tool {

    private static final String SCHEMA = """
            {"type": "object", "required": ["to", "subject"], "properties": {
              "to": {"type": "array", "items": {"type": "string"}, "minItems": 1},
              "subject": {"type": "string"}}}""";

    private final Outbox outbox;

    public EmailSendTool(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public String name() {
        return "email.send";
    }

    @Override
    public String argsSchemaJson() {
        return SCHEMA;
    }

    @Override
    public boolean idempotent() {
        return false;
    }

    @Override
    public JsonNode execute(ToolCall call) throws Exception {
        String id = outbox.append(name(), call.runId(), call.callId(), call.args());
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("outboxId", id);
        out.put("queued", call.args().path("to").size());
        return out;
    }
}

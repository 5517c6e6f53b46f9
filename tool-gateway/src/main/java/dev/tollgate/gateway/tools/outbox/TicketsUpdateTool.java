package dev.tollgate.gateway.tools.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;

/**
 * {@code tickets.update {ticket_ids, fields}}: records the update in the outbox (one line per call). Not
 * idempotent: the gateway runs it at most once per call.
 */
public final class TicketsUpdateTool implements Tool {

    private static final String SCHEMA = """
            {"type": "object", "required": ["ticket_ids", "fields"], "properties": {
              "ticket_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
              "fields": {"type": "object"}}}""";

    private final Outbox outbox;

    public TicketsUpdateTool(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public String name() {
        return "tickets.update";
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
        out.put("updated", call.args().path("ticket_ids").size());
        return out;
    }
}

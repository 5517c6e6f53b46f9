package dev.tollgate.gateway.tools.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;

/**
 * A tool whose side effect is one line appended to the outbox per call: {@code tickets.update} records the update,
 * {@code email.send} queues the mail. Not idempotent: the gateway runs each call at most once, and a call whose
 * outcome is unknown after a crash is reported as such, never re-run.
 */
public final class OutboxTool implements Tool {

    private final String name;
    private final String schema;
    private final String countField;
    private final String countedArgument;
    private final Outbox outbox;

    private OutboxTool(String name, String schema, String countField, String countedArgument, Outbox outbox) {
        this.name = name;
        this.schema = schema;
        this.countField = countField;
        this.countedArgument = countedArgument;
        this.outbox = outbox;
    }

    /** {@code tickets.update {ticket_ids, fields}}; answers {@code {outboxId, updated}}. */
    public static OutboxTool ticketsUpdate(Outbox outbox) {
        return new OutboxTool("tickets.update", """
                {"type": "object", "required": ["ticket_ids", "fields"], "properties": {
                  "ticket_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
                  "fields": {"type": "object"}}}""", "updated", "ticket_ids", outbox);
    }

    /** {@code email.send {to, subject}}; answers {@code {outboxId, queued}}. */
    public static OutboxTool emailSend(Outbox outbox) {
        return new OutboxTool("email.send", """
                {"type": "object", "required": ["to", "subject"], "properties": {
                  "to": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                  "subject": {"type": "string"}}}""", "queued", "to", outbox);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String argsSchemaJson() {
        return schema;
    }

    @Override
    public boolean idempotent() {
        return false;
    }

    @Override
    public JsonNode execute(ToolCall call) throws Exception {
        String id = outbox.append(name, call.runId(), call.callId(), call.args());
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("outboxId", id);
        out.put(countField, call.args().path(countedArgument).size());
        return out;
    }
}

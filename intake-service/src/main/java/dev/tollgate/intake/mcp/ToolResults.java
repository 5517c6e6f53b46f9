package dev.tollgate.intake.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.intake.ledger.CallOutcome;
import dev.tollgate.ledger.model.ToolCallView.ReasonView;
import java.io.IOException;

/**
 * Pure: what a {@code tools/call} answers for what Tollgate knows of the call. A call that ran and succeeded
 * answers the tool's JSON as {@code structuredContent} plus a {@code text} content of the same JSON; a denial,
 * a call still held, or a call that ran and did not succeed answer {@code isError: true} with a text that starts
 * with the stable code, so a model can read it and steer. The gateway's signed receipt goes in {@code _meta} under
 * {@code dev.tollgate/receipt}, the callId under {@code dev.tollgate/callId}.
 */
final class ToolResults {

    static final String RECEIPT_META = "dev.tollgate/receipt";
    static final String CALL_ID_META = "dev.tollgate/callId";
    private static final String SUCCEEDED = "SUCCEEDED";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ToolResults() {
    }

    /** The CallToolResult for an outcome that answers a waiter (denied, held or finished). */
    static ObjectNode of(CallOutcome outcome) {
        if (CallOutcome.DENIED.equals(outcome.decision())) {
            return denied(outcome);
        }
        if (SUCCEEDED.equals(outcome.status())) {
            return succeeded(outcome);
        }
        if (outcome.status() != null) {
            return finishedWithError(outcome);
        }
        return notYet(outcome.callId(), outcome.decision());
    }

    /**
     * A call without its final outcome when the wait ended: still held for approval, or approved and not finished.
     * The call stays as it is; the same call (same tool and arguments) in the session picks it up.
     */
    static ObjectNode notYet(String callId, String decision) {
        boolean held = CallOutcome.PENDING_APPROVAL.equals(decision);
        String code = held ? "PENDING_APPROVAL" : "OUTCOME_PENDING";
        String text = held
                ? code + ": the call " + callId + " is held for approval and was not decided in time. It stays held;"
                        + " calling the tool again with the same arguments picks up its outcome."
                : code + ": the call " + callId + " was accepted (decision " + (decision == null ? "not yet made"
                        : decision) + ") but has not finished yet; calling the tool again with the same arguments"
                        + " picks up its outcome.";
        ObjectNode structured = JSON.objectNode().put("callId", callId);
        structured.put("decision", held ? CallOutcome.PENDING_APPROVAL : decision);
        structured.putNull("status");
        return result(text, structured, true, callId, null);
    }

    private static ObjectNode denied(CallOutcome outcome) {
        StringBuilder text = new StringBuilder();
        ArrayNode reasons = JSON.arrayNode();
        for (ReasonView reason : outcome.reasons()) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(reason.code());
            if (reason.ruleId() != null && !reason.ruleId().isEmpty()) {
                text.append(' ').append(reason.ruleId());
            }
            text.append(": ").append(reason.message());
            if (reason.suggest() != null && !reason.suggest().isEmpty()) {
                text.append(" Suggested tools: ").append(String.join(", ", reason.suggest())).append('.');
            }
            reasons.add(reasonJson(reason));
        }
        if (text.isEmpty()) {
            text.append("DENIED: the call was denied");
        }
        ObjectNode structured = JSON.objectNode().put("callId", outcome.callId()).put("decision", CallOutcome.DENIED);
        structured.set("reasons", reasons);
        return result(text.toString(), structured, true, outcome.callId(), null);
    }

    private static ObjectNode succeeded(CallOutcome outcome) {
        if (outcome.resultJson() == null) {
            ObjectNode structured = JSON.objectNode().put("callId", outcome.callId())
                    .put("status", outcome.status());
            return result("SUCCEEDED: the call " + outcome.callId() + " succeeded; its output was not seen by this"
                    + " intake (its hash is in the receipt).", structured, false, outcome.callId(), outcome.receipt());
        }
        JsonNode value = parse(outcome.resultJson());
        ObjectNode structured;
        if (value != null && value.isObject()) {
            structured = (ObjectNode) value;
        } else {
            structured = JSON.objectNode();
            structured.set("result", value == null ? JSON.textNode(outcome.resultJson()) : value);
        }
        return result(outcome.resultJson(), structured, false, outcome.callId(), outcome.receipt());
    }

    private static ObjectNode finishedWithError(CallOutcome outcome) {
        String status = outcome.status();
        StringBuilder text = new StringBuilder(status).append(": the call ").append(outcome.callId())
                .append(" was approved and ran, and finished with status ").append(status).append('.');
        if ("OUTCOME_UNKNOWN".equals(outcome.status())) {
            text.append(" Whether it took effect is unknown; it is never re-run.");
        }
        if (outcome.resultJson() != null) {
            text.append('\n').append(outcome.resultJson());
        }
        ObjectNode structured = JSON.objectNode().put("callId", outcome.callId())
                .put("decision", CallOutcome.APPROVED).put("status", status);
        return result(text.toString(), structured, true, outcome.callId(), outcome.receipt());
    }

    private static ObjectNode result(String text, ObjectNode structured, boolean isError, String callId,
                                     JsonNode receipt) {
        ObjectNode result = JSON.objectNode();
        result.putArray("content").addObject().put("type", "text").put("text", text);
        result.set("structuredContent", structured);
        result.put("isError", isError);
        ObjectNode meta = result.putObject("_meta").put(CALL_ID_META, callId);
        if (receipt != null) {
            meta.set(RECEIPT_META, receipt);
        }
        return result;
    }

    static ObjectNode reasonJson(ReasonView reason) {
        ObjectNode r = JSON.objectNode().put("code", reason.code());
        if (reason.ruleId() == null) {
            r.putNull("ruleId");
        } else {
            r.put("ruleId", reason.ruleId());
        }
        r.put("message", reason.message());
        ArrayNode suggest = r.putArray("suggest");
        if (reason.suggest() != null) {
            reason.suggest().forEach(suggest::add);
        }
        return r;
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

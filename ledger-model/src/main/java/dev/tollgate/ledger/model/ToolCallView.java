package dev.tollgate.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The state of one tool call, the body of {@code GET /v1/tool-calls/{callId}}. Built only by
 * {@link LedgerFold#applyToCall}.
 *
 * @param decision     {@code APPROVED}, {@code DENIED} or {@code PENDING_APPROVAL}; a granted approval makes it
 *                     {@code APPROVED}, a denied or expired one {@code DENIED}
 * @param status       the gateway's outcome once completed: {@code SUCCEEDED}, {@code FAILED}, {@code TIMED_OUT},
 *                     {@code OUTCOME_UNKNOWN}
 * @param receipt      the gateway's signed receipt as JSON
 * @param lastSeq      the run seq of the last event applied to this call (idempotency)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolCallView(
        String callId,
        String runId,
        String tenantId,
        String tool,
        String decision,
        @JsonInclude(JsonInclude.Include.ALWAYS) List<ReasonView> reasons,
        String status,
        String resultSha256,
        JsonNode receipt,
        long lastSeq) {

    /** A reason, as in the ledger: stable code, the rule or check, message and steering. */
    public record ReasonView(String code, String ruleId, String message, List<String> suggest) {
    }
}

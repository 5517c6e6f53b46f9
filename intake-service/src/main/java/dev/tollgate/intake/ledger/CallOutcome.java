package dev.tollgate.intake.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.model.ToolCallView;
import java.util.List;

/**
 * What intake knows of a tool call: the decision ({@code APPROVED}, {@code DENIED}, {@code PENDING_APPROVAL}, or
 * null before any) and reasons, as the ledger-model's fold says, and once it ran its status, receipt and (live only)
 * the tool's output.
 *
 * @param status     {@code SUCCEEDED}, {@code FAILED}, {@code TIMED_OUT}, {@code OUTCOME_UNKNOWN}; null until it ran
 * @param receipt    the gateway's signed receipt as JSON; null until it ran
 * @param resultJson the tool's output as JSON text, from tollgate.tool-results.v1; null when not seen
 * @param runOwner   the principal whose run it is, when known (the output is only ever shown to it)
 */
public record CallOutcome(String runId, String callId, String decision, List<ToolCallView.ReasonView> reasons,
                          String status, JsonNode receipt, String resultJson, String runOwner) {

    public static final String APPROVED = "APPROVED";
    public static final String DENIED = "DENIED";
    public static final String PENDING_APPROVAL = "PENDING_APPROVAL";

    public CallOutcome {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
    }

    /** Whether a waiting caller should be answered now: denied, held, or finished. */
    public boolean answersWaiter() {
        return DENIED.equals(decision) || PENDING_APPROVAL.equals(decision) || status != null;
    }

    CallOutcome withResult(String json) {
        return new CallOutcome(runId, callId, decision, reasons, status, receipt, json, runOwner);
    }

    CallOutcome withOwner(String owner) {
        return new CallOutcome(runId, callId, decision, reasons, status, receipt, resultJson, owner);
    }
}

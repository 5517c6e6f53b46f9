package dev.tollgate.intake.ledger;

import dev.tollgate.events.Reason;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.ToolCallStatus;
import java.util.List;

/**
 * What intake knows of a tool call: the decision ({@code APPROVED}, {@code DENIED}, {@code PENDING_APPROVAL}, or
 * null before any), the reasons of a denial, and once it ran its status, receipt and (live only) the tool's output.
 *
 * @param runOwner   the principal whose run it is, when known (the output is only ever shown to it)
 * @param resultJson the tool's output as JSON text, from tollgate.tool-results.v1; null when not seen
 */
public record CallOutcome(String runId, String callId, String decision, List<Reason> reasons, ToolCallStatus status,
                          Receipt receipt, String resultJson, String runOwner) {

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

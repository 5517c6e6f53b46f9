package dev.tollgate.ledger.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * A tool call that was held for approval, pending or decided: what an approval route needs to find its run and to
 * check the approver. Built only by {@link LedgerFold#applyToHeld}.
 *
 * @param runPrincipalId the principal whose run it is (it may not approve its own call)
 * @param expiresAt      ISO-8601
 * @param status         {@code PENDING}, {@code GRANTED}, {@code DENIED} or {@code EXPIRED}
 * @param lastSeq        the run seq of the last event applied to it (idempotency)
 */
public record HeldCallView(String callId, String runId, String tenantId, String runPrincipalId, String tool,
                           List<String> approverRoles, String expiresAt, String status, long lastSeq) {

    public static final String PENDING = "PENDING";
    public static final String GRANTED = "GRANTED";
    public static final String DENIED = "DENIED";
    public static final String EXPIRED = "EXPIRED";

    public HeldCallView {
        approverRoles = approverRoles == null ? List.of() : List.copyOf(approverRoles);
    }

    /** Whether it still waits for a decision. */
    @JsonIgnore
    public boolean pending() {
        return PENDING.equals(status);
    }

    HeldCallView withStatus(String next, long seq) {
        return new HeldCallView(callId, runId, tenantId, runPrincipalId, tool, approverRoles, expiresAt, next, seq);
    }
}

package dev.tollgate.intake.ledger;

import java.util.List;

/**
 * A tool call that was held for approval: its run, the run's tenant and principal, the roles that may approve it,
 * and whether it still waits for a decision.
 */
public record HeldCall(String callId, String runId, String tenantId, String runPrincipalId,
                       List<String> approverRoles, boolean pending) {

    public HeldCall {
        approverRoles = List.copyOf(approverRoles);
    }
}

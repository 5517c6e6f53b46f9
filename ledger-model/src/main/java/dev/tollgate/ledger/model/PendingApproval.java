package dev.tollgate.ledger.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A held tool call waiting for a human, an entry of {@code GET /v1/approvals?status=pending}.
 *
 * @param args          the arguments as recorded in the ledger (redacted where a rule said so)
 * @param expiresAt     ISO-8601
 * @param requestedBy   the principal that asked for the call
 * @param requestedAt   ISO-8601, when the call was held
 */
public record PendingApproval(String callId, String runId, String tenantId, String tool, JsonNode args,
                              String argsSha256, List<String> approverRoles, String expiresAt, String requestedBy,
                              String requestedAt) {
}

package dev.tollgate.projector.verify;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The verification of one run's chain, the body of {@code GET /v1/runs/{runId}/verify}.
 *
 * @param events         how many ledger records the run has
 * @param headHash       the recomputed hash of the run's last record ({@code null} when it has none)
 * @param firstBrokenSeq the seq of the first record that breaks the chain, only when invalid
 * @param reason         why it breaks there, only when invalid
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunVerification(boolean valid, long events, String headHash, Long firstBrokenSeq, String reason) {
}

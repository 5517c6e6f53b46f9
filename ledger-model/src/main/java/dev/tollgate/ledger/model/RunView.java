package dev.tollgate.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The queryable state of one run, the body of {@code GET /v1/runs/{runId}} and of each line of
 * {@code tollgate ledger replay}. Built only by {@link LedgerFold#applyToRun}; {@code lastSeq} and
 * {@code headHash} are those of the last event applied.
 *
 * @param status     {@code ADMITTED}, {@code REJECTED}, {@code HALTED} or {@code COMPLETED}; {@code null} while the
 *                   run has only events that precede its admission (a {@code CommandRejected} for an unknown run)
 * @param haltReason the code of the first reason of {@code RunHalted}, only when halted
 */
public record RunView(
        String runId,
        String tenantId,
        String principalId,
        String workflow,
        String environment,
        String classification,
        String status,
        @JsonInclude(JsonInclude.Include.NON_NULL) String haltReason,
        String policyVersion,
        GrantsView grants,
        Counters counters,
        Spend spend,
        String stage,
        long lastSeq,
        String headHash) {

    /** This view with {@code headHash} instead (a reader that hashes a run's last event only once, at the end). */
    public RunView withHeadHash(String hash) {
        return new RunView(runId, tenantId, principalId, workflow, environment, classification, status, haltReason,
                policyVersion, grants, counters, spend, stage, lastSeq, hash);
    }

    /** What the run may do, as admitted. */
    public record GrantsView(List<String> tools, int maxToolCalls, long costMicros, long tokens, int retentionDays) {
    }

    /**
     * Tool-call counters. {@code held} counts calls waiting for an approval now: a decided approval moves a call
     * from {@code held} to {@code approved} or {@code denied}, so approved + denied + held is every decided call.
     */
    public record Counters(long approved, long denied, long held, long completed, long failed) {
    }

    /** Spend so far: {@code costMicros} is tool-call costs plus priced model usage; {@code tokens} model tokens. */
    public record Spend(long costMicros, long tokens) {
    }
}

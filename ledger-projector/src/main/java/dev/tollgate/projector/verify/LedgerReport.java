package dev.tollgate.projector.verify;

import java.util.List;

/**
 * What {@code tollgate ledger verify} prints: how many runs and events were checked, whether all is valid, and the
 * first break of each broken run.
 */
public record LedgerReport(long runs, long events, boolean valid, List<Broken> broken) {

    /** The first break of one run. */
    public record Broken(String runId, long seq, String reason) {
    }
}

package dev.tollgate.projector.verify;

/**
 * Where a run's records are in the ledger: its partition and the offsets of the first and the last record the
 * projector read with the run's key (including records it did not apply, such as a repeated seq), so that verifying
 * one run reads only {@code [firstOffset, lastOffset]} of one partition instead of the partition from offset 0.
 */
public record RunSpan(int partition, long firstOffset, long lastOffset) {

    /** The span after one more record of the run at {@code offset}. */
    public RunSpan including(long offset) {
        return new RunSpan(partition, Math.min(firstOffset, offset), Math.max(lastOffset, offset));
    }
}

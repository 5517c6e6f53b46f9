package dev.tollgate.projector.api;

import dev.tollgate.projector.verify.RunVerification;

/** Verifies one run from the raw ledger bytes (see {@code dev.tollgate.projector.verify.LedgerVerifier}). */
@FunctionalInterface
public interface RunVerifier {

    RunVerification verify(String runId);
}

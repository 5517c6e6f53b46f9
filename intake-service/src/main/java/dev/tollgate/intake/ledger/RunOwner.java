package dev.tollgate.intake.ledger;

/** Whose run it is, from the run's ledger events. */
public record RunOwner(String tenantId, String principalId) {
}

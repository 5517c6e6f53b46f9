package dev.tollgate.intake.admin;

/** One problem of a refused policy bundle: the 1-based line, the rule it concerns (or null), what is wrong. */
public record PolicyProblem(int line, String ruleId, String message) {
}

package dev.tollgate.policy.engine;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A policy bundle was refused: it carries every problem found, in line order, not just the first. A refused bundle
 * is refused whole; whoever holds the previous bundle keeps it in force.
 */
public final class PolicyCompileException extends Exception {

    private final List<PolicyProblem> problems;

    public PolicyCompileException(List<PolicyProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, ordered by line. */
    public List<PolicyProblem> problems() {
        return problems;
    }

    private static String describe(List<PolicyProblem> problems) {
        return "policy bundle refused, " + problems.size() + " problem(s):\n"
                + problems.stream().map(PolicyProblem::toString).collect(Collectors.joining("\n"));
    }
}

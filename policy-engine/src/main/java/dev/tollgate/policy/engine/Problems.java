package dev.tollgate.policy.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem of a bundle, so the author sees all of them at once. */
final class Problems {

    private final List<PolicyProblem> problems = new ArrayList<>();

    void add(int line, String ruleId, String message) {
        problems.add(new PolicyProblem(line, ruleId, message));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    List<PolicyProblem> sorted() {
        List<PolicyProblem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingInt(PolicyProblem::line));
        return sorted;
    }
}

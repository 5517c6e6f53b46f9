package dev.tollgate.policy.engine;

/**
 * One problem found in a policy bundle: the 1-based line of the YAML text it was found at (0 when the problem has no
 * place, such as an empty text), the id of the rule it belongs to (null when it belongs to no rule) and a message.
 *
 * @param line    1-based line in the YAML text, 0 when unknown
 * @param ruleId  the id of the runs entry or tool rule, or null
 * @param message what is wrong, for a human
 */
public record PolicyProblem(int line, String ruleId, String message) {

    @Override
    public String toString() {
        return "line " + line + (ruleId == null ? "" : " [" + ruleId + "]") + ": " + message;
    }
}

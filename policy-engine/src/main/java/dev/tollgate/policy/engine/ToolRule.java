package dev.tollgate.policy.engine;

import java.util.List;

/**
 * One tool rule. Combining (done by the tool-call decider): an enforced deny wins; else a require_approval holds
 * the call; else an allow approves it; else the call is denied. A shadow rule is evaluated and recorded, never
 * enforced.
 *
 * @param id       rule id, unique among the bundle's rules
 * @param line     line of the rule in the YAML text
 * @param effect   what a match does
 * @param shadow   true for {@code mode: shadow}
 * @param tools    the tools the rule applies to; empty means every tool
 * @param when     the CEL condition's source
 * @param message  message for the agent on a denial; may be empty
 * @param suggest  alternative tools offered on a denial
 * @param approval approval settings of a require_approval rule, else null
 * @param redact   JSON pointers masked in the ledger's copy of the arguments
 */
public record ToolRule(String id, int line, RuleEffect effect, boolean shadow, List<String> tools, String when,
                       String message, List<String> suggest, Approval approval, List<String> redact) {

    public ToolRule {
        tools = List.copyOf(tools);
        suggest = List.copyOf(suggest);
        redact = List.copyOf(redact);
    }

    /** Whether the rule applies to calls of this tool. */
    public boolean appliesTo(String tool) {
        return tools.isEmpty() || tools.contains(tool);
    }
}

package dev.tollgate.policy.run;

import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.Reason;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallHeld;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A decision reduced to what {@code policy test} and {@code policy diff} compare: the decision word
 * ({@code admitted}, {@code rejected}, {@code approved}, {@code denied}, {@code held}, {@code command-rejected}),
 * the reason codes and the rule ids involved (matched rules, then the rules or checks named by reasons).
 *
 * @param decision the decision word
 * @param codes    reason codes, in order
 * @param rules    rule ids, in order, without duplicates
 */
public record Outcome(String decision, List<String> codes, List<String> rules) {

    public Outcome {
        codes = List.copyOf(codes);
        rules = List.copyOf(rules);
    }

    public static Outcome of(Object payload) {
        if (payload instanceof RunAdmitted admitted) {
            return new Outcome("admitted", List.of(), List.of(admitted.getRuleId()));
        }
        if (payload instanceof RunRejected rejected) {
            return withReasons("rejected", List.of(), rejected.getReasons());
        }
        if (payload instanceof ToolCallApproved approved) {
            return new Outcome("approved", List.of(), approved.getMatchedRules());
        }
        if (payload instanceof ToolCallHeld held) {
            return new Outcome("held", List.of(), held.getMatchedRules());
        }
        if (payload instanceof ToolCallDenied denied) {
            return withReasons("denied", denied.getMatchedRules(), denied.getReasons());
        }
        if (payload instanceof CommandRejected rejected) {
            return withReasons("command-rejected", List.of(), rejected.getReasons());
        }
        return new Outcome(payload == null ? "none" : payload.getClass().getSimpleName(), List.of(), List.of());
    }

    private static Outcome withReasons(String decision, List<String> matched, List<Reason> reasons) {
        List<String> rules = new ArrayList<>(matched);
        reasons.stream().map(Reason::getRuleId).filter(Objects::nonNull).filter(r -> !rules.contains(r))
                .forEach(rules::add);
        return new Outcome(decision, reasons.stream().map(r -> r.getCode().name()).toList(), rules);
    }

    @Override
    public String toString() {
        return decision + (codes.isEmpty() ? "" : " " + codes) + (rules.isEmpty() ? "" : " rules=" + rules);
    }
}

package dev.tollgate.policy.usage;

import dev.tollgate.events.BudgetDimension;
import dev.tollgate.events.BudgetExhausted;
import dev.tollgate.events.Command;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ReportUsage;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.UsageRecorded;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.ModelPrice;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Reasons;
import dev.tollgate.policy.run.Rejections;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import dev.tollgate.policy.state.RunStatus;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Token governance. {@code ReportUsage} for a model the bundle lists is priced ({@link ModelPrice#costMicros}:
 * tokens / 1000 * price, rounded up, in micro-USD) and recorded as {@code UsageRecorded} with the run's running
 * totals ({@code totalCostMicros} is everything the run has spent: tool calls and usage). Crossing the run's token
 * or cost budget (used above the limit) appends {@code BudgetExhausted} per dimension crossed, then
 * {@code RunHalted} (BUDGET_EXHAUSTED); the usage that crossed is still recorded first, because it was spent. Usage
 * reported by a halted run is recorded too (it was spent) but halts nothing more. An unlisted model is rejected
 * (MODEL_NOT_ALLOWED). Pure: no Kafka, no clock.
 */
public final class UsageDecider {

    private UsageDecider() {
    }

    public static Decision decide(RunState state, Command command, ReportUsage usage, PolicyContext context) {
        CompiledBundle bundle = context.bundle().orElse(null);
        if (!state.getPrincipalId().equals(command.getPrincipalId())) {
            return Rejections.reject(bundle, command, ReasonCode.PRINCIPAL_MISMATCH, "run", "run "
                    + state.getRunId() + " belongs to another principal");
        }
        if (bundle == null) {
            return Rejections.reject(null, command, ReasonCode.POLICY_ERROR, "policy", "no policy bundle is in force");
        }
        if (usage.getInputTokens() < 0 || usage.getOutputTokens() < 0) {
            return Rejections.reject(bundle, command, ReasonCode.COMMAND_INVALID, "usage",
                    "token counts cannot be negative");
        }
        ModelPrice price = bundle.models().get(usage.getModel());
        if (price == null) {
            return Rejections.reject(bundle, command, ReasonCode.MODEL_NOT_ALLOWED, "models", "model "
                    + usage.getModel() + " is not listed by bundle " + bundle.name());
        }
        long cost;
        long tokens;
        try {
            cost = price.costMicros(usage.getInputTokens(), usage.getOutputTokens());
            tokens = Math.addExact(usage.getInputTokens(), usage.getOutputTokens());
        } catch (ArithmeticException e) {
            return Rejections.reject(bundle, command, ReasonCode.COMMAND_INVALID, "usage", "token counts too large");
        }
        long totalTokens = state.getTokens() + tokens;
        long totalCost = state.getSpentCostMicros() + cost;
        List<Decided> events = new ArrayList<>();
        events.add(Decided.of(UsageRecorded.newBuilder().setModel(usage.getModel())
                .setInputTokens(usage.getInputTokens()).setOutputTokens(usage.getOutputTokens()).setCostMicros(cost)
                .setTotalTokens(totalTokens).setTotalCostMicros(totalCost).build()));
        if (state.getStatus() == RunStatus.ACTIVE) {
            events.addAll(budgetCrossings(state, totalTokens, totalCost));
        }
        return new Decision(events, bundle);
    }

    /**
     * {@code BudgetExhausted} for each of the run's budgets that {@code tokens} or {@code costMicros} (the run's
     * totals after an event) crosses, then one {@code RunHalted}; empty when none is crossed. A budget that was
     * already crossed before is not reported again (the run is halted by then).
     */
    public static List<Decided> budgetCrossings(RunState state, long tokens, long costMicros) {
        List<Decided> events = new ArrayList<>();
        List<Reason> reasons = new ArrayList<>();
        if (tokens > state.getBudgetTokens() && state.getTokens() <= state.getBudgetTokens()) {
            events.add(Decided.of(BudgetExhausted.newBuilder().setDimension(BudgetDimension.TOKENS)
                    .setLimit(state.getBudgetTokens()).setUsed(tokens).build()));
            reasons.add(Reasons.of(ReasonCode.BUDGET_EXHAUSTED, "grants.budget.tokens", "run used " + tokens
                    + " tokens of its " + state.getBudgetTokens()));
        }
        if (costMicros > state.getBudgetCostMicros() && state.getSpentCostMicros() <= state.getBudgetCostMicros()) {
            events.add(Decided.of(BudgetExhausted.newBuilder().setDimension(BudgetDimension.COST)
                    .setLimit(state.getBudgetCostMicros()).setUsed(costMicros).build()));
            reasons.add(Reasons.of(ReasonCode.BUDGET_EXHAUSTED, "grants.budget.costMicros", "run spent "
                    + costMicros + " micro-USD of its " + state.getBudgetCostMicros()));
        }
        if (!reasons.isEmpty()) {
            events.add(Decided.of(RunHalted.newBuilder().setReasons(reasons).build()));
        }
        return events;
    }

    public static RunState evolve(RunState state, SpecificRecord payload) {
        if (payload instanceof UsageRecorded usage) {
            RunState next = RunStates.copyOf(state);
            next.setTokens(usage.getTotalTokens());
            next.setSpentCostMicros(state.getSpentCostMicros() + usage.getCostMicros());
            return next;
        }
        return state;
    }
}

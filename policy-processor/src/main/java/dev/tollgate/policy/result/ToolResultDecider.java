package dev.tollgate.policy.result;

import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.state.CallState;
import dev.tollgate.policy.state.CallStatus;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import dev.tollgate.policy.state.RunStatus;
import dev.tollgate.policy.usage.UsageDecider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Tool results: a result for a dispatched call appends {@code ToolCallCompleted} with the status and the signed
 * receipt (the result's digest, never the result) and moves the call's reservation to the actual cost (crossing
 * the run's cost budget then halts it, as in {@code usage.UsageDecider}). A result
 * for a call that is not awaiting one (a duplicate, an unknown call) has no effect. Pure: no Kafka, no clock.
 */
public final class ToolResultDecider {

    static final int MAX_ERROR_CHARS = 1000;

    private ToolResultDecider() {
    }

    public static Decision decide(RunState state, ToolCallResult result, PolicyContext context) {
        if (state == null) {
            return Decision.none();
        }
        CallState call = state.getCalls().get(result.getCallId());
        if (call == null || call.getStatus() != CallStatus.APPROVED) {
            return Decision.none();
        }
        String error = result.getError();
        if (error != null && error.length() > MAX_ERROR_CHARS) {
            error = error.substring(0, MAX_ERROR_CHARS);
        }
        long cost = Math.max(0, result.getCostMicros());
        List<Decided> events = new ArrayList<>();
        events.add(Decided.of(ToolCallCompleted.newBuilder()
                .setCallId(result.getCallId())
                .setTool(call.getTool())
                .setStatus(result.getStatus())
                .setResultSha256(result.getResultSha256())
                .setCostMicros(cost)
                .setError(error)
                .setReceipt(result.getReceipt())
                .build()));
        if (state.getStatus() == RunStatus.ACTIVE) {
            // A call may cost more than it reserved: crossing the cost budget halts the run like usage does.
            events.addAll(UsageDecider.budgetCrossings(state, state.getTokens(), state.getSpentCostMicros() + cost));
        }
        return new Decision(events, context.bundle().orElse(null));
    }

    /** Whether a result is one the run awaits (for counting the ones that are skipped). */
    public static boolean awaited(RunState state, ToolCallResult result) {
        CallState call = state == null ? null : state.getCalls().get(result.getCallId());
        return call != null && call.getStatus() == CallStatus.APPROVED;
    }

    public static RunState evolve(RunState state, SpecificRecord payload) {
        if (!(payload instanceof ToolCallCompleted completed)) {
            return state;
        }
        CallState call = state.getCalls().get(completed.getCallId());
        if (call == null) {
            return state;
        }
        Map<String, CallState> calls = new HashMap<>(state.getCalls());
        calls.put(call.getCallId(), CallState.newBuilder(call).setStatus(CallStatus.COMPLETED)
                .setCostMicros(completed.getCostMicros()).setArgsJson("").build());
        RunState next = RunStates.copyOf(state);
        next.setCalls(calls);
        next.setReservedCostMicros(Math.max(0, state.getReservedCostMicros() - call.getReservedCostMicros()));
        next.setSpentCostMicros(state.getSpentCostMicros() + completed.getCostMicros());
        return next;
    }
}

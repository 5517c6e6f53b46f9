package dev.tollgate.policy.finish;

import dev.tollgate.events.Command;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.RunCompleted;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import dev.tollgate.policy.state.RunStatus;
import org.apache.avro.specific.SpecificRecord;

/** FinishRun on an active run: {@code RunCompleted}. Later commands for the run are rejected (RUN_NOT_ACTIVE). */
public final class FinishDecider {

    private FinishDecider() {
    }

    public static Decision decide(RunState state, Command command, FinishRun finish, PolicyContext context) {
        return Decision.of(context.bundle().orElse(null), Decided.of(RunCompleted.newBuilder()
                .setOutcome(finish.getOutcome()).setSummary(finish.getSummary()).build()));
    }

    public static RunState evolve(RunState state, SpecificRecord payload) {
        if (payload instanceof RunCompleted) {
            RunState next = RunStates.copyOf(state);
            next.setStatus(RunStatus.COMPLETED);
            return next;
        }
        return state;
    }
}

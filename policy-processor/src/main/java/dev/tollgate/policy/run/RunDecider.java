package dev.tollgate.policy.run;

import dev.tollgate.events.Command;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.policy.admission.AdmissionDecider;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.finish.FinishDecider;
import dev.tollgate.policy.result.ToolResultDecider;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.StateAvro;
import dev.tollgate.policy.state.RunStatus;
import dev.tollgate.policy.toolcall.ToolCallDecider;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The run's decider: routes each command by payload type to its feature decider, and folds each ledger event
 * into the run state. Owns what every command shares: a command id already answered for the run has no second
 * effect; a command for an unknown or finished run is rejected with RUN_NOT_ACTIVE. Pure: no Kafka, no clock, so
 * the stream processor, {@code policy test} and {@code policy diff} decide the same way.
 */
public final class RunDecider {

    /** How many answered command ids a run remembers (oldest forgotten first). */
    public static final int REMEMBERED_COMMANDS = 256;

    static {
        StateAvro.ensureTrusted();
    }

    private RunDecider() {
    }

    /** The state of a run nothing is known about yet. */
    public static RunState initial(String runId) {
        return RunState.newBuilder().setRunId(runId).build();
    }

    public static Decision decide(RunState state, Command command, PolicyContext context) {
        RunState run = state == null ? initial(command.getRunId()) : state;
        if (run.getProcessedCommandIds().contains(command.getCommandId())) {
            return Decision.none();
        }
        Object payload = command.getPayload();
        boolean known = run.getStatus() != RunStatus.UNSPECIFIED;
        if (payload instanceof RequestRun request) {
            return known
                    ? reject(context, command, ReasonCode.COMMAND_INVALID, "run " + run.getRunId() + " was already "
                    + "requested")
                    : AdmissionDecider.decide(run, command, request, context);
        }
        if (!known || run.getStatus() == RunStatus.COMPLETED) {
            return reject(context, command, ReasonCode.RUN_NOT_ACTIVE, "run " + run.getRunId() + " is "
                    + (known ? "finished" : "unknown"));
        }
        if (payload instanceof RequestToolCall call) {
            return ToolCallDecider.decide(run, command, call, context);
        }
        if (payload instanceof FinishRun finish) {
            return run.getStatus() == RunStatus.ACTIVE
                    ? FinishDecider.decide(run, command, finish, context)
                    : reject(context, command, ReasonCode.RUN_NOT_ACTIVE, "run " + run.getRunId() + " is not active");
        }
        // ReportUsage, SubmitArtifact, CompleteStage, DecideApproval, KillRun: the next deciders plug in here.
        return reject(context, command, ReasonCode.COMMAND_INVALID, typeOf(command) + " is not handled yet");
    }

    public static Decision decide(RunState state, ToolCallResult result) {
        return ToolResultDecider.decide(state, result);
    }

    /** The state after one ledger event; {@code stateOnly} is {@link Decided#stateOnly()} when known. */
    public static RunState evolve(RunState state, LedgerEvent event, String stateOnly) {
        RunState run = state == null ? initial(event.getRunId()) : state;
        RunState.Builder next = RunState.newBuilder(run)
                .setLastSeq(event.getSeq())
                .setLastHash(LedgerHash.of(event));
        SpecificRecord payload = (SpecificRecord) event.getPayload();
        boolean admission = payload instanceof RunAdmitted || payload instanceof RunRejected;
        if (admission || run.getPrincipalId().isEmpty()) {
            next.setPrincipalId(event.getPrincipalId()).setTenantId(event.getTenantId());
        }
        if (event.getCausationId() != null && !run.getProcessedCommandIds().contains(event.getCausationId())) {
            List<String> ids = new ArrayList<>(run.getProcessedCommandIds());
            ids.add(event.getCausationId());
            while (ids.size() > REMEMBERED_COMMANDS) {
                ids.remove(0);
            }
            next.setProcessedCommandIds(ids);
        }
        RunState folded = next.build();
        folded = AdmissionDecider.evolve(folded, payload, stateOnly);
        folded = ToolCallDecider.evolve(folded, payload, stateOnly);
        folded = ToolResultDecider.evolve(folded, payload);
        folded = FinishDecider.evolve(folded, payload);
        return folded;
    }

    /** The simple name of a command's payload type, as recorded in {@code CommandRejected.commandType}. */
    public static String typeOf(Command command) {
        return command.getPayload().getClass().getSimpleName();
    }

    private static Decision reject(PolicyContext context, Command command, ReasonCode code, String message) {
        CompiledBundle bundle = context.bundle().orElse(null);
        String callId = command.getPayload() instanceof RequestToolCall call ? call.getCallId() : null;
        return Decision.of(bundle, Decided.of(CommandRejected.newBuilder()
                .setCommandId(command.getCommandId()).setCommandType(typeOf(command)).setCallId(callId)
                .setReasons(List.of(Reasons.of(code, "run", message))).build()));
    }
}

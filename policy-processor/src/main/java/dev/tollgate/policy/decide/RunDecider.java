package dev.tollgate.policy.decide;

import dev.tollgate.events.Command;
import dev.tollgate.events.CompleteStage;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.KillRun;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ReportUsage;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.SubmitArtifact;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.policy.admission.AdmissionDecider;
import dev.tollgate.policy.approval.ApprovalDecider;
import dev.tollgate.policy.artifacts.ArtifactDecider;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.finish.FinishDecider;
import dev.tollgate.policy.gates.GateDecider;
import dev.tollgate.policy.kill.KillDecider;
import dev.tollgate.policy.result.ToolResultDecider;
import dev.tollgate.policy.run.Checks;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Rejections;
import dev.tollgate.policy.decide.RunLedger;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import dev.tollgate.policy.state.RunStatus;
import dev.tollgate.policy.state.StateAvro;
import dev.tollgate.policy.toolcall.ToolCallDecider;
import dev.tollgate.policy.usage.UsageDecider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * The run's decider: routes each command by payload type to its feature decider, and folds each ledger event
 * into the run state. Owns what every command shares: a command id already answered for the run has no second
 * effect; a command for an unknown or finished run is rejected with RUN_NOT_ACTIVE; before an active run's command
 * is decided, the run's due {@link #timers} are applied (held calls expired at or before the command's issuedAt, a
 * halt owed to a kill switch or a disabled identity), exactly as the processor's punctuator would have applied them,
 * so the ledger is the same whichever came first. Pure: no Kafka, no clock, so the stream processor,
 * {@code policy test} and {@code policy diff} decide the same way.
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
        Decision timers = timers(run, command.getIssuedAt(), context);
        RunState current = timers.isEmpty() ? run
                : RunLedger.append(run, run.getRunId(), RunLedger.Envelope.of(command), timers).state();
        Decision answer = route(current, command, payload, context);
        if (timers.isEmpty()) {
            return answer;
        }
        List<Decided> events = new ArrayList<>(timers.events());
        events.addAll(answer.events());
        return new Decision(events, answer.bundle());
    }

    private static Decision route(RunState run, Command command, Object payload, PolicyContext context) {
        if (payload instanceof RequestToolCall call) {
            return ToolCallDecider.decide(run, command, call, context);
        }
        Optional<Reason> sender = Checks.identity(context, command.getPrincipalId());
        if (sender.isPresent()) {
            return Rejections.reject(context.bundle().orElse(null), command,
                    payload instanceof DecideApproval a ? a.getCallId() : null, List.of(sender.get()));
        }
        if (payload instanceof ReportUsage usage && run.getStatus() != RunStatus.REJECTED) {
            // A halted run's usage is still recorded: it was spent.
            return UsageDecider.decide(run, command, usage, context);
        }
        if (run.getStatus() != RunStatus.ACTIVE) {
            return reject(context, command, ReasonCode.RUN_NOT_ACTIVE, "run " + run.getRunId() + " is "
                    + (run.getStatus() == RunStatus.HALTED ? "halted (" + run.getHaltCode() + "): "
                    + run.getHaltMessage() : "not active"));
        }
        if (payload instanceof FinishRun finish) {
            return FinishDecider.decide(run, command, finish, context);
        }
        if (payload instanceof DecideApproval approval) {
            return ApprovalDecider.decide(run, command, approval, context);
        }
        if (payload instanceof SubmitArtifact artifact) {
            return ArtifactDecider.decide(run, command, artifact, context);
        }
        if (payload instanceof CompleteStage stage) {
            return GateDecider.decide(run, command, stage, context);
        }
        if (payload instanceof KillRun kill) {
            return KillDecider.decide(run, command, kill, context);
        }
        return reject(context, command, ReasonCode.COMMAND_INVALID, typeOf(command) + " is not a known command");
    }

    /**
     * What an active run is owed at {@code now} without any command: {@code ApprovalExpired} for each held call whose
     * expiry is at or before {@code now} (each at its expiry), then a {@code RunHalted} if an engaged kill switch
     * covers the run or its principal was disabled (at the switch's or identity's update time). Event times never
     * come from {@code now}, so the punctuator (wall clock) and a later command (issuedAt) record the same events.
     */
    public static Decision timers(RunState state, Instant now, PolicyContext context) {
        if (state == null || state.getStatus() != RunStatus.ACTIVE) {
            return Decision.none();
        }
        CompiledBundle bundle = context.bundle().orElse(null);
        List<Decided> events = new ArrayList<>(ApprovalDecider.expire(state, now));
        RunState run = events.isEmpty() ? state : RunLedger.append(state, state.getRunId(),
                new RunLedger.Envelope("", "", now, null, null), new Decision(events, bundle)).state();
        KillDecider.guard(run, context).ifPresent(events::add);
        return new Decision(events, bundle);
    }

    /** Whether the run was ever requested: it has a RunAdmitted or RunRejected, so it has an owner and a chain. */
    public static boolean requested(RunState state) {
        return state != null && state.getStatus() != RunStatus.UNSPECIFIED;
    }

    /**
     * The answer to a command of a requested run that could not be attributed to its producer (see
     * {@code auth.CommandAuthenticator}): the run's due timers at {@code at} (the record's timestamp, since the
     * command's own issuedAt is not trusted), then {@code CommandRejected} with the reason. Nothing is decided: the
     * rejection names no callId and records no causation, so a forged command can neither answer a real call's
     * waiter nor burn a real command's id.
     */
    public static Decision unattributed(RunState state, Command command, Reason reason, Instant at,
                                        PolicyContext context) {
        Decision timers = timers(state, at, context);
        List<Decided> events = new ArrayList<>(timers.events());
        events.add(Decided.of(Rejections.rejected(command, null, List.of(reason))));
        return new Decision(events, context.bundle().orElse(null));
    }

    public static Decision decide(RunState state, ToolCallResult result, PolicyContext context) {
        return ToolResultDecider.decide(state, result, context);
    }

    /** The state after one ledger event; {@code stateOnly} is {@link Decided#stateOnly()} when known. */
    public static RunState evolve(RunState state, LedgerEvent event, String stateOnly) {
        return evolve(state, event, LedgerHash.of(event), stateOnly);
    }

    /** {@link #evolve(RunState, LedgerEvent, String)} for an event whose hash is already known. */
    public static RunState evolve(RunState state, LedgerEvent event, String hash, String stateOnly) {
        RunState run = state == null ? initial(event.getRunId()) : state;
        RunState next = RunStates.copyOf(run);
        next.setLastSeq(event.getSeq());
        next.setLastHash(hash);
        next.setLastOccurredAt(Math.max(run.getLastOccurredAt(), event.getOccurredAt().toEpochMilli()));
        SpecificRecord payload = (SpecificRecord) event.getPayload();
        boolean admission = payload instanceof RunAdmitted || payload instanceof RunRejected;
        if (admission || run.getPrincipalId().isEmpty()) {
            next.setPrincipalId(event.getPrincipalId());
            next.setTenantId(event.getTenantId());
        }
        if (event.getCausationId() != null && !run.getProcessedCommandIds().contains(event.getCausationId())) {
            List<String> ids = new ArrayList<>(run.getProcessedCommandIds());
            ids.add(event.getCausationId());
            while (ids.size() > REMEMBERED_COMMANDS) {
                ids.remove(0);
            }
            next.setProcessedCommandIds(ids);
        }
        RunState folded = AdmissionDecider.evolve(next, payload, stateOnly);
        folded = ToolCallDecider.evolve(folded, payload, stateOnly);
        folded = ToolResultDecider.evolve(folded, payload);
        folded = ApprovalDecider.evolve(folded, payload);
        folded = UsageDecider.evolve(folded, payload);
        folded = ArtifactDecider.evolve(folded, payload);
        folded = GateDecider.evolve(folded, payload);
        folded = KillDecider.evolve(folded, payload);
        folded = FinishDecider.evolve(folded, payload);
        return folded;
    }

    /** The simple name of a command's payload type, as recorded in {@code CommandRejected.commandType}. */
    public static String typeOf(Command command) {
        return command.getPayload().getClass().getSimpleName();
    }

    private static Decision reject(PolicyContext context, Command command, ReasonCode code, String message) {
        return Rejections.reject(context.bundle().orElse(null), command, code, "run", message);
    }
}

package dev.tollgate.policy.approval;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.ApprovalDenied;
import dev.tollgate.events.ApprovalExpired;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.Command;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.Identity;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.ToolSpec;
import dev.tollgate.policy.run.Checks;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Rejections;
import dev.tollgate.policy.state.CallState;
import dev.tollgate.policy.state.CallStatus;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import dev.tollgate.policy.toolcall.ToolCallDecider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decisions on held tool calls. A {@code DecideApproval} is accepted from an enabled human principal of the run's
 * tenant that holds one of the call's approver roles and is not the principal that requested the call; approval
 * appends {@code ApprovalGranted} and dispatches the call with its intact arguments, denial appends
 * {@code ApprovalDenied} (the call's decision becomes APPROVAL_DENIED) and releases its reservation. A call not
 * decided by its {@code expiresAt} expires: {@link #expire} appends {@code ApprovalExpired} at {@code expiresAt}
 * itself, whoever notices (the processor's wall-clock punctuator, or the run's next command issued at or after
 * that instant, which expires it first), so a replay records the same event. A decision issued at or after the
 * expiry is rejected APPROVAL_EXPIRED; a second decision APPROVAL_NOT_PENDING. Pure: no Kafka, no clock.
 */
public final class ApprovalDecider {

    private ApprovalDecider() {
    }

    public static Decision decide(RunState state, Command command, DecideApproval approval, PolicyContext context) {
        CompiledBundle bundle = context.bundle().orElse(null);
        String callId = approval.getCallId();
        CallState call = state.getCalls().get(callId);
        if (call == null || call.getStatus() == CallStatus.UNSPECIFIED) {
            return reject(bundle, command, ReasonCode.APPROVAL_NOT_PENDING, "call " + callId
                    + " is not a held call of run " + state.getRunId());
        }
        if (call.getStatus() == CallStatus.EXPIRED) {
            return reject(bundle, command, ReasonCode.APPROVAL_EXPIRED, "call " + callId + " expired at "
                    + Instant.ofEpochMilli(call.getExpiresAt()));
        }
        if (call.getStatus() != CallStatus.HELD) {
            return reject(bundle, command, ReasonCode.APPROVAL_NOT_PENDING, "call " + callId + " was already "
                    + (call.getStatus() == CallStatus.DENIED ? "denied" : "approved"));
        }
        Optional<dev.tollgate.events.Reason> identity = Checks.identity(context, command.getPrincipalId());
        if (identity.isPresent()) {
            return Rejections.reject(bundle, command, callId, List.of(identity.get()));
        }
        Identity approver = context.identity(command.getPrincipalId()).orElseThrow();
        if (!approver.getTenantId().equals(state.getTenantId())) {
            return reject(bundle, command, ReasonCode.APPROVER_NOT_ALLOWED, "approver " + approver.getPrincipalId()
                    + " is not in the run's tenant");
        }
        if (approver.getPrincipalId().equals(state.getPrincipalId())) {
            return reject(bundle, command, ReasonCode.SELF_APPROVAL, "the principal that requested call " + callId
                    + " cannot decide it");
        }
        if (approver.getKind() != PrincipalKind.HUMAN) {
            return reject(bundle, command, ReasonCode.APPROVER_NOT_ALLOWED, "approver " + approver.getPrincipalId()
                    + " is not a human principal");
        }
        if (approver.getRoles().stream().noneMatch(call.getApproverRoles()::contains)) {
            return reject(bundle, command, ReasonCode.APPROVER_NOT_ALLOWED, "approver " + approver.getPrincipalId()
                    + " holds none of the roles " + call.getApproverRoles());
        }
        if (approval.getDecision() == ApprovalDecision.DENY) {
            return Decision.of(bundle, Decided.of(ApprovalDenied.newBuilder().setCallId(callId)
                    .setApproverId(approver.getPrincipalId()).setReason(approval.getReason()).build()));
        }
        if (approval.getDecision() != ApprovalDecision.APPROVE) {
            return reject(bundle, command, ReasonCode.COMMAND_INVALID, "decision must be APPROVE or DENY");
        }
        Optional<ToolSpec> tool = bundle == null ? Optional.empty() : bundle.tool(call.getTool());
        if (tool.isEmpty()) {
            // The bundle in force no longer declares the tool: nothing may run it. The call stays held and expires.
            return reject(bundle, command, ReasonCode.TOOL_UNKNOWN, "tool " + call.getTool()
                    + " is not declared by the bundle in force");
        }
        RequestToolCall request = RequestToolCall.newBuilder().setCallId(callId).setTool(call.getTool())
                .setArgsJson(call.getArgsJson()).build();
        ToolCallDispatch dispatch = ToolCallDecider.dispatch(state, command, request, bundle, tool.get(),
                call.getArgsSha256(), command.getIssuedAt());
        dispatch.setCostMicros(call.getReservedCostMicros());
        return Decision.of(bundle, new Decided(ApprovalGranted.newBuilder().setCallId(callId)
                .setApproverId(approver.getPrincipalId()).setReason(approval.getReason()).build(), dispatch, null));
    }

    /**
     * {@code ApprovalExpired} for every held call whose expiry is at or before {@code now}, in expiry order, each
     * at its own {@code expiresAt}: the same events whether a punctuator or a later command notices.
     */
    public static List<Decided> expire(RunState state, Instant now) {
        List<CallState> due = new ArrayList<>();
        for (CallState call : state.getCalls().values()) {
            if (call.getStatus() == CallStatus.HELD && call.getExpiresAt() <= now.toEpochMilli()) {
                due.add(call);
            }
        }
        due.sort(Comparator.comparingLong(CallState::getExpiresAt).thenComparing(CallState::getCallId));
        List<Decided> events = new ArrayList<>();
        for (CallState call : due) {
            Instant at = Instant.ofEpochMilli(Math.max(call.getExpiresAt(), state.getLastOccurredAt()));
            events.add(Decided.timer(ApprovalExpired.newBuilder().setCallId(call.getCallId())
                    .setExpiresAt(Instant.ofEpochMilli(call.getExpiresAt())).build(), at));
        }
        return events;
    }

    /** The earliest expiry among held calls, or empty. */
    public static Optional<Long> nextExpiry(RunState state) {
        return state.getCalls().values().stream().filter(c -> c.getStatus() == CallStatus.HELD)
                .map(CallState::getExpiresAt).min(Long::compare);
    }

    private static Decision reject(CompiledBundle bundle, Command command, ReasonCode code, String message) {
        return Rejections.reject(bundle, command, code, "approval", message);
    }

    /** Granted calls await their result; denied and expired ones release their reservation and call count. */
    public static RunState evolve(RunState state, SpecificRecord payload) {
        if (payload instanceof ApprovalGranted granted) {
            return withStatus(state, granted.getCallId(), CallStatus.APPROVED, false);
        }
        if (payload instanceof ApprovalDenied denied) {
            return withStatus(state, denied.getCallId(), CallStatus.DENIED, true);
        }
        if (payload instanceof ApprovalExpired expired) {
            return withStatus(state, expired.getCallId(), CallStatus.EXPIRED, true);
        }
        return state;
    }

    private static RunState withStatus(RunState state, String callId, CallStatus status, boolean release) {
        CallState call = state.getCalls().get(callId);
        if (call == null) {
            return state;
        }
        Map<String, CallState> calls = new HashMap<>(state.getCalls());
        // The intact arguments were only kept for the dispatch of an approval.
        CallState.Builder next = CallState.newBuilder(call).setStatus(status).setArgsJson("");
        RunState run = RunStates.copyOf(state);
        if (release) {
            next.setReservedCostMicros(0);
            run.setReservedCostMicros(Math.max(0, state.getReservedCostMicros() - call.getReservedCostMicros()));
            run.setToolCalls(Math.max(0, state.getToolCalls() - 1));
        }
        calls.put(callId, next.build());
        run.setCalls(calls);
        return run;
    }
}

package dev.tollgate.ledger.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.ApprovalDenied;
import dev.tollgate.events.ApprovalExpired;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.Grants;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunCompleted;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.StageAdvanced;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.UsageRecorded;
import dev.tollgate.events.logging.RunLogContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * THE fold of the ledger: pure functions from a view and one ledger event to the next view. The projector's
 * topology, {@code tollgate ledger replay|tail} and intake's waiters all use these, so every reader of the ledger
 * tells the same story about a run or a call, and a replay rebuilds exactly what the projector serves.
 *
 * <p>Idempotency: an event whose {@code seq} is not above the view's {@code lastSeq} returns the view unchanged. This
 * is what keeps "no event applied twice" true when a task re-reads records after a restart, on top of
 * exactly-once processing.
 *
 * <p>Only the events named in {@link #applyToRun} change a run view; {@code BudgetExhausted},
 * {@code ArtifactRecorded}, {@code GateEvaluated} and {@code CommandRejected} appear in the timeline only (they
 * still advance {@code lastSeq} and {@code headHash}).
 *
 * <p>A {@code CommandRejected} answering a {@code RequestToolCall} (its {@code commandType} is the
 * {@link EventTypes#REQUEST_TOOL_CALL} schema name) with a {@code callId} is the call's denial when nothing else was
 * recorded for that call yet: its view says {@code DENIED} with the rejection's reasons (for example
 * {@code PRINCIPAL_MISMATCH} or {@code CLOCK_SKEW}), both for {@code ?waitMs} on intake and for
 * {@code GET /v1/tool-calls/{callId}} on the projector. It never changes a call that has a decision: the processor
 * also rejects a request that reuses a callId of the run, and that must not overwrite the first call's outcome.
 */
public final class LedgerFold {

    public static final String ADMITTED = "ADMITTED";
    public static final String REJECTED = "REJECTED";
    public static final String HALTED = "HALTED";
    public static final String COMPLETED = "COMPLETED";

    public static final String APPROVED = "APPROVED";
    public static final String DENIED = "DENIED";
    public static final String PENDING_APPROVAL = "PENDING_APPROVAL";

    /**
     * The envelope fields of a {@link LedgerEvent} that {@link #applyToRun} reads (besides the payload). Bulk readers
     * ({@code tollgate ledger replay}) decode only these; add a field here when {@code applyToRun} starts reading it.
     */
    public static final Set<String> RUN_VIEW_FIELDS = Set.of("runId", "seq", "tenantId", "principalId",
            "policyVersion");

    private LedgerFold() {
    }

    /** The event's type name, the Avro schema name of its payload: {@code RunAdmitted}, {@code ToolCallHeld}, ... */
    public static String type(LedgerEvent event) {
        return EventTypes.of(event);
    }

    /**
     * The run view after {@code event}.
     *
     * @param view  the view so far, or {@code null} before the run's first event
     * @param hash  the event's hash, from the raw record ({@code LedgerHash.ofRecordValue})
     */
    public static RunView applyToRun(RunView view, LedgerEvent event, String hash) {
        if (view != null && event.getSeq() <= view.lastSeq()) {
            return view;
        }
        Draft d = view == null ? new Draft(event) : new Draft(view);
        Object payload = event.getPayload();
        if (payload instanceof RunAdmitted admitted) {
            d.status = ADMITTED;
            d.workflow = admitted.getWorkflow();
            d.environment = admitted.getEnvironment();
            d.classification = admitted.getClassification();
            d.grants = grants(admitted.getGrants());
            d.policyVersion = event.getPolicyVersion();
        } else if (payload instanceof RunRejected rejected) {
            d.status = REJECTED;
            d.workflow = rejected.getWorkflow();
            d.environment = rejected.getEnvironment();
            d.classification = rejected.getClassification();
            d.policyVersion = event.getPolicyVersion();
        } else if (payload instanceof ToolCallApproved) {
            d.approved++;
        } else if (payload instanceof ToolCallDenied) {
            d.denied++;
        } else if (payload instanceof ToolCallHeld) {
            d.held++;
        } else if (payload instanceof ApprovalGranted) {
            d.held = Math.max(0, d.held - 1);
            d.approved++;
        } else if (payload instanceof ApprovalDenied || payload instanceof ApprovalExpired) {
            d.held = Math.max(0, d.held - 1);
            d.denied++;
        } else if (payload instanceof ToolCallCompleted completed) {
            if (completed.getStatus() == ToolCallStatus.SUCCEEDED) {
                d.completed++;
            } else {
                d.failed++;
            }
            d.costMicros += completed.getCostMicros();
        } else if (payload instanceof UsageRecorded usage) {
            d.costMicros += usage.getCostMicros();
            d.tokens = usage.getTotalTokens();
        } else if (payload instanceof StageAdvanced stage) {
            d.stage = stage.getStage();
        } else if (payload instanceof RunHalted halted) {
            d.status = HALTED;
            d.haltReason = halted.getReasons().isEmpty() ? "UNSPECIFIED" : halted.getReasons().get(0).getCode().name();
        } else if (payload instanceof RunCompleted) {
            d.status = COMPLETED;
        }
        d.lastSeq = event.getSeq();
        d.headHash = hash;
        return d.build();
    }

    /**
     * The call an event is about, if it may change a tool call's view: the tool-call and approval events, and a
     * {@code CommandRejected} of a {@code RequestToolCall} (see the class comment).
     */
    public static Optional<String> callIdOf(LedgerEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof CommandRejected p) {
            return rejectedToolCall(p) ? Optional.of(p.getCallId()) : Optional.empty();
        }
        if (payload instanceof ToolCallApproved p) {
            return Optional.of(p.getCallId());
        } else if (payload instanceof ToolCallDenied p) {
            return Optional.of(p.getCallId());
        } else if (payload instanceof ToolCallHeld p) {
            return Optional.of(p.getCallId());
        } else if (payload instanceof ApprovalGranted p) {
            return Optional.of(p.getCallId());
        } else if (payload instanceof ApprovalDenied p) {
            return Optional.of(p.getCallId());
        } else if (payload instanceof ApprovalExpired p) {
            return Optional.of(p.getCallId());
        } else if (payload instanceof ToolCallCompleted p) {
            return Optional.of(p.getCallId());
        }
        return Optional.empty();
    }

    /**
     * The tool call's view after {@code event}; {@code call} is {@code null} before its first event. Events that are
     * not about a call (see {@link #callIdOf}) leave it unchanged.
     */
    public static ToolCallView applyToCall(ToolCallView call, LedgerEvent event) {
        Optional<String> callId = callIdOf(event);
        if (callId.isEmpty() || call != null && event.getSeq() <= call.lastSeq()) {
            return call;
        }
        String tool = call == null ? null : call.tool();
        String decision = call == null ? null : call.decision();
        List<ToolCallView.ReasonView> reasons = call == null ? List.of() : call.reasons();
        String status = call == null ? null : call.status();
        String resultSha256 = call == null ? null : call.resultSha256();
        JsonNode receipt = call == null ? null : call.receipt();
        Object payload = event.getPayload();
        if (payload instanceof ToolCallApproved approved) {
            tool = approved.getTool();
            decision = APPROVED;
        } else if (payload instanceof ToolCallDenied denied) {
            tool = denied.getTool();
            decision = DENIED;
            reasons = reasons(denied.getReasons());
        } else if (payload instanceof ToolCallHeld held) {
            tool = held.getTool();
            decision = PENDING_APPROVAL;
        } else if (payload instanceof ApprovalGranted) {
            decision = APPROVED;
        } else if (payload instanceof ApprovalDenied denied) {
            decision = DENIED;
            reasons = append(reasons, new ToolCallView.ReasonView("APPROVAL_DENIED", null, denied.getReason(),
                    List.of()));
        } else if (payload instanceof ApprovalExpired) {
            decision = DENIED;
            reasons = append(reasons, new ToolCallView.ReasonView("APPROVAL_EXPIRED", null,
                    "approval not decided before it expired", List.of()));
        } else if (payload instanceof CommandRejected rejected) {
            if (call != null) {
                return call;
            }
            decision = DENIED;
            reasons = reasons(rejected.getReasons());
        } else if (payload instanceof ToolCallCompleted completed) {
            tool = completed.getTool();
            // a completed call was dispatched, so it was approved even if its decision precedes a replay's start
            decision = decision == null ? APPROVED : decision;
            status = completed.getStatus().name();
            resultSha256 = completed.getResultSha256();
            receipt = completed.getReceipt() == null ? null : PayloadJson.of(completed.getReceipt());
        }
        return new ToolCallView(callId.get(), event.getRunId(), event.getTenantId(), tool, decision, reasons, status,
                resultSha256, receipt, event.getSeq());
    }

    /** Whether a rejection answers a tool-call request, and names its call. */
    static boolean rejectedToolCall(CommandRejected rejected) {
        return rejected.getCallId() != null && EventTypes.REQUEST_TOOL_CALL.equals(rejected.getCommandType());
    }

    /**
     * The held call's view after {@code event}; {@code held} is {@code null} before the call was held. A
     * {@code ToolCallHeld} starts it ({@code PENDING}); a granted, denied or expired approval of the same call ends
     * it; every other event leaves it unchanged. This is the index approvals are addressed by: by (runId, callId),
     * and, since a callId is unique within a run only, by (tenant, callId) with every candidate.
     */
    public static HeldCallView applyToHeld(HeldCallView held, LedgerEvent event) {
        Object payload = event.getPayload();
        if (held != null && (!held.runId().equals(event.getRunId()) || event.getSeq() <= held.lastSeq())) {
            return held;
        }
        if (payload instanceof ToolCallHeld p) {
            if (held != null) {
                return held;
            }
            return new HeldCallView(p.getCallId(), event.getRunId(), event.getTenantId(), event.getPrincipalId(),
                    p.getTool(), List.copyOf(p.getApproverRoles()), p.getExpiresAt().toString(),
                    HeldCallView.PENDING, event.getSeq());
        }
        if (held == null) {
            return null;
        }
        String status = null;
        if (payload instanceof ApprovalGranted p && p.getCallId().equals(held.callId())) {
            status = HeldCallView.GRANTED;
        } else if (payload instanceof ApprovalDenied p && p.getCallId().equals(held.callId())) {
            status = HeldCallView.DENIED;
        } else if (payload instanceof ApprovalExpired p && p.getCallId().equals(held.callId())) {
            status = HeldCallView.EXPIRED;
        }
        return status == null || !held.pending() ? held : held.withStatus(status, event.getSeq());
    }

    /** The inbox entry a {@code ToolCallHeld} adds; empty for every other event. */
    public static Optional<PendingApproval> heldApproval(LedgerEvent event) {
        if (!(event.getPayload() instanceof ToolCallHeld held)) {
            return Optional.empty();
        }
        return Optional.of(new PendingApproval(held.getCallId(), event.getRunId(), event.getTenantId(),
                held.getTool(), args(held.getArgsJson()), held.getArgsSha256(), List.copyOf(held.getApproverRoles()),
                held.getExpiresAt().toString(), event.getPrincipalId(), event.getOccurredAt().toString()));
    }

    /** The call whose inbox entry an approval decision or expiry removes; empty for every other event. */
    public static Optional<String> resolvedApproval(LedgerEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof ApprovalGranted p) {
            return Optional.of(p.getCallId());
        } else if (payload instanceof ApprovalDenied p) {
            return Optional.of(p.getCallId());
        } else if (payload instanceof ApprovalExpired p) {
            return Optional.of(p.getCallId());
        }
        return Optional.empty();
    }

    /** The timeline entry of an event. */
    public static TimelineEntry timelineEntry(LedgerEvent event, String hash) {
        return new TimelineEntry(event.getSeq(), type(event), event.getOccurredAt().toString(), event.getPrevHash(),
                hash, PayloadJson.of((org.apache.avro.generic.IndexedRecord) event.getPayload()),
                RunLogContext.traceId(event.getTraceparent()));
    }

    private static JsonNode args(String argsJson) {
        try {
            return Json.tree(argsJson);
        } catch (RuntimeException e) {
            return Json.MAPPER.getNodeFactory().textNode(argsJson);
        }
    }

    private static RunView.GrantsView grants(Grants grants) {
        return new RunView.GrantsView(List.copyOf(grants.getTools()), grants.getMaxToolCalls(),
                grants.getCostMicros(), grants.getTokens(), grants.getRetentionDays());
    }

    private static List<ToolCallView.ReasonView> reasons(List<Reason> reasons) {
        List<ToolCallView.ReasonView> out = new ArrayList<>();
        for (Reason r : reasons) {
            out.add(ToolCallView.ReasonView.of(r));
        }
        return List.copyOf(out);
    }

    private static List<ToolCallView.ReasonView> append(List<ToolCallView.ReasonView> reasons,
                                                        ToolCallView.ReasonView reason) {
        List<ToolCallView.ReasonView> out = new ArrayList<>(reasons);
        out.add(reason);
        return List.copyOf(out);
    }

    /** A mutable copy of a view, local to one application of an event. */
    private static final class Draft {
        private final String runId;
        private final String tenantId;
        private final String principalId;
        private String workflow;
        private String environment;
        private String classification;
        private String status;
        private String haltReason;
        private String policyVersion;
        private RunView.GrantsView grants;
        private long approved;
        private long denied;
        private long held;
        private long completed;
        private long failed;
        private long costMicros;
        private long tokens;
        private String stage;
        private long lastSeq;
        private String headHash;

        Draft(LedgerEvent first) {
            runId = first.getRunId();
            tenantId = first.getTenantId();
            principalId = first.getPrincipalId();
            policyVersion = first.getPolicyVersion();
        }

        Draft(RunView v) {
            runId = v.runId();
            tenantId = v.tenantId();
            principalId = v.principalId();
            workflow = v.workflow();
            environment = v.environment();
            classification = v.classification();
            status = v.status();
            haltReason = v.haltReason();
            policyVersion = v.policyVersion();
            grants = v.grants();
            approved = v.counters().approved();
            denied = v.counters().denied();
            held = v.counters().held();
            completed = v.counters().completed();
            failed = v.counters().failed();
            costMicros = v.spend().costMicros();
            tokens = v.spend().tokens();
            stage = v.stage();
            lastSeq = v.lastSeq();
            headHash = v.headHash();
        }

        RunView build() {
            return new RunView(runId, tenantId, principalId, workflow, environment, classification, status,
                    haltReason, policyVersion, grants, new RunView.Counters(approved, denied, held, completed, failed),
                    new RunView.Spend(costMicros, tokens), stage, lastSeq, headHash);
        }
    }
}

package dev.tollgate.ledger.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.ledger.model.testing.RunLedger;
import dev.tollgate.ledger.model.testing.TestGateway;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LedgerFoldTest {

    private final RunLedger run = RunLedger.forTenant("acme");
    private final TestGateway gateway = new TestGateway();

    private RunView view;

    private RunView apply(LedgerEvent event) {
        view = LedgerFold.applyToRun(view, event, LedgerHash.of(event));
        return view;
    }

    @Test
    void runAdmittedSetsIdentityGrantsStatusAndPolicyVersion() {
        LedgerEvent event = run.admitted();
        RunView v = apply(event);
        assertThat(v.runId()).isEqualTo(run.runId());
        assertThat(v.tenantId()).isEqualTo("acme");
        assertThat(v.principalId()).isEqualTo("agent-acme");
        assertThat(v.workflow()).isEqualTo("triage");
        assertThat(v.environment()).isEqualTo("prod");
        assertThat(v.classification()).isEqualTo("internal");
        assertThat(v.status()).isEqualTo("ADMITTED");
        assertThat(v.policyVersion()).isEqualTo("7");
        assertThat(v.grants()).isEqualTo(new RunView.GrantsView(List.of("fs.read", "http.fetch"), 10, 5_000_000,
                100_000, 30));
        assertThat(v.counters()).isEqualTo(new RunView.Counters(0, 0, 0, 0, 0));
        assertThat(v.spend()).isEqualTo(new RunView.Spend(0, 0));
        assertThat(v.lastSeq()).isEqualTo(1);
        assertThat(v.headHash()).isEqualTo(run.headHash());
        assertThat(v.haltReason()).isNull();
    }

    @Test
    void runRejectedIsRejected() {
        RunView v = apply(run.rejected(ReasonCode.NO_MATCHING_RULE));
        assertThat(v.status()).isEqualTo("REJECTED");
        assertThat(v.classification()).isEqualTo("secret");
        assertThat(v.grants()).isNull();
    }

    @Test
    void toolCallDecisionsCountApprovedDeniedAndHeld() {
        apply(run.admitted());
        apply(run.approved("c1", "fs.read"));
        apply(run.denied("c2", "shell", ReasonCode.TOOL_NOT_ALLOWED));
        RunView v = apply(run.held("c3", "http.fetch"));
        assertThat(v.counters()).isEqualTo(new RunView.Counters(1, 1, 1, 0, 0));
    }

    @Test
    void approvalGrantedMovesAHeldCallToApproved() {
        apply(run.admitted());
        apply(run.held("c1", "http.fetch"));
        RunView v = apply(run.granted("c1"));
        assertThat(v.counters()).isEqualTo(new RunView.Counters(1, 0, 0, 0, 0));
    }

    @Test
    void approvalDeniedAndExpiredMoveHeldCallsToDenied() {
        apply(run.admitted());
        apply(run.held("c1", "http.fetch"));
        apply(run.held("c2", "http.fetch"));
        apply(run.approvalDenied("c1"));
        RunView v = apply(run.expired("c2"));
        assertThat(v.counters()).isEqualTo(new RunView.Counters(0, 2, 0, 0, 0));
    }

    @Test
    void toolCallCompletedCountsSuccessesFailuresAndAddsCost() {
        apply(run.admitted());
        apply(run.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 100, null));
        apply(run.completed("c2", "fs.read", ToolCallStatus.FAILED, 20, null));
        apply(run.completed("c3", "fs.read", ToolCallStatus.TIMED_OUT, 3, null));
        RunView v = apply(run.completed("c4", "fs.read", ToolCallStatus.OUTCOME_UNKNOWN, 0, null));
        assertThat(v.counters().completed()).isEqualTo(1);
        assertThat(v.counters().failed()).isEqualTo(3);
        assertThat(v.spend().costMicros()).isEqualTo(123);
    }

    @Test
    void usageRecordedSetsTokensAndAddsItsCostToToolCosts() {
        apply(run.admitted());
        apply(run.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 100, null));
        apply(run.usage(10, 5, 7, 15));
        RunView v = apply(run.usage(20, 10, 11, 45));
        assertThat(v.spend()).isEqualTo(new RunView.Spend(118, 45));
    }

    @Test
    void timelineOnlyEventsAdvanceSeqAndHashButNothingElse() {
        RunView admitted = apply(run.admitted());
        apply(run.budgetExhausted());
        apply(run.artifact("plan"));
        apply(run.gate("plan", false));
        RunView v = apply(run.commandRejected("c9", ReasonCode.APPROVAL_NOT_PENDING));
        assertThat(v.lastSeq()).isEqualTo(5);
        assertThat(v.headHash()).isEqualTo(run.headHash());
        assertThat(v).usingRecursiveComparison().ignoringFields("lastSeq", "headHash").isEqualTo(admitted);
    }

    @Test
    void stageAdvancedSetsTheStage() {
        apply(run.admitted());
        assertThat(apply(run.stageAdvanced("plan")).stage()).isEqualTo("plan");
        assertThat(apply(run.stageAdvanced("build")).stage()).isEqualTo("build");
    }

    @Test
    void runHaltedRecordsTheFirstReasonCode() {
        apply(run.admitted());
        RunView v = apply(run.halted(ReasonCode.KILL_SWITCH));
        assertThat(v.status()).isEqualTo("HALTED");
        assertThat(v.haltReason()).isEqualTo("KILL_SWITCH");
    }

    @Test
    void runCompletedIsCompleted() {
        apply(run.admitted());
        assertThat(apply(run.runCompleted()).status()).isEqualTo("COMPLETED");
    }

    @Test
    void anEventAtOrBelowLastSeqIsNotAppliedTwice() {
        apply(run.admitted());
        LedgerEvent approved = run.approved("c1", "fs.read");
        RunView once = apply(approved);
        RunView twice = apply(approved);
        assertThat(twice).isSameAs(once);
        assertThat(twice.counters().approved()).isEqualTo(1);
    }

    @Test
    void toolCallViewFollowsDecisionsApprovalsAndCompletion() {
        run.admitted();
        LedgerEvent held = run.held("c1", "http.fetch");
        ToolCallView call = LedgerFold.applyToCall(null, held);
        assertThat(call.decision()).isEqualTo("PENDING_APPROVAL");
        assertThat(call.tool()).isEqualTo("http.fetch");
        call = LedgerFold.applyToCall(call, run.granted("c1"));
        assertThat(call.decision()).isEqualTo("APPROVED");
        call = LedgerFold.applyToCall(call, run.completed("c1", "http.fetch", ToolCallStatus.SUCCEEDED, 5,
                gateway.receipt(run.runId(), "c1", "http.fetch", ToolCallStatus.SUCCEEDED)));
        assertThat(call.status()).isEqualTo("SUCCEEDED");
        assertThat(call.resultSha256()).hasSize(64);
        assertThat(call.receipt().path("keyId").asText()).isEqualTo(gateway.keyId());
        assertThat(call.receipt().path("startedAt").asText()).isEqualTo("2026-03-01T10:00:30Z");
        assertThat(call.runId()).isEqualTo(run.runId());
        assertThat(call.tenantId()).isEqualTo("acme");
    }

    @Test
    void deniedCallsCarryTheirReasons() {
        ToolCallView call = LedgerFold.applyToCall(null, run.denied("c1", "shell", ReasonCode.TOOL_NOT_ALLOWED));
        assertThat(call.decision()).isEqualTo("DENIED");
        assertThat(call.reasons()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("TOOL_NOT_ALLOWED");
            assertThat(r.ruleId()).isEqualTo("rule-tool_not_allowed");
            assertThat(r.suggest()).containsExactly("search_docs");
        });
        ToolCallView held = LedgerFold.applyToCall(null, run.held("c2", "http.fetch"));
        assertThat(LedgerFold.applyToCall(held, run.approvalDenied("c2")).reasons())
                .extracting(ToolCallView.ReasonView::code).containsExactly("APPROVAL_DENIED");
        ToolCallView held3 = LedgerFold.applyToCall(null, run.held("c3", "http.fetch"));
        ToolCallView expired = LedgerFold.applyToCall(held3, run.expired("c3"));
        assertThat(expired.decision()).isEqualTo("DENIED");
        assertThat(expired.reasons()).extracting(ToolCallView.ReasonView::code).containsExactly("APPROVAL_EXPIRED");
    }

    @Test
    void approvedCallsAreApprovedAndARejectedApprovalNeverTouchesACall() {
        ToolCallView call = LedgerFold.applyToCall(null, run.approved("c1", "fs.read"));
        assertThat(call.decision()).isEqualTo("APPROVED");
        LedgerEvent rejected = run.commandRejected("c1", ReasonCode.APPROVAL_NOT_PENDING);
        assertThat(LedgerFold.callIdOf(rejected)).isEmpty();
        assertThat(LedgerFold.applyToCall(call, rejected)).isSameAs(call);
    }

    @Test
    void heldCallsEnterTheInboxAndDecisionsLeaveIt() {
        LedgerEvent held = run.held("c1", "http.fetch");
        PendingApproval pending = LedgerFold.heldApproval(held).orElseThrow();
        assertThat(pending.callId()).isEqualTo("c1");
        assertThat(pending.runId()).isEqualTo(run.runId());
        assertThat(pending.args().path("path").asText()).isEqualTo("/tmp/a.txt");
        assertThat(pending.approverRoles()).containsExactly("approver");
        assertThat(pending.requestedBy()).isEqualTo("agent-acme");
        assertThat(pending.expiresAt()).isEqualTo("2026-03-01T11:00:00Z");
        assertThat(LedgerFold.resolvedApproval(run.granted("c1"))).contains("c1");
        assertThat(LedgerFold.resolvedApproval(run.approvalDenied("c1"))).contains("c1");
        assertThat(LedgerFold.resolvedApproval(run.expired("c1"))).contains("c1");
        assertThat(LedgerFold.resolvedApproval(held)).isEmpty();
    }

    @Test
    void timelineEntriesRenderPayloadsAsPlainJson() {
        LedgerEvent event = run.denied("c1", "shell", ReasonCode.TOOL_NOT_ALLOWED);
        TimelineEntry entry = LedgerFold.timelineEntry(event, LedgerHash.of(event));
        assertThat(entry.type()).isEqualTo("ToolCallDenied");
        assertThat(entry.seq()).isEqualTo(1);
        assertThat(entry.prevHash()).isEqualTo(LedgerHash.GENESIS);
        assertThat(entry.occurredAt()).isEqualTo("2026-03-01T10:00:01Z");
        assertThat(entry.payload().path("reasons").get(0).path("code").asText()).isEqualTo("TOOL_NOT_ALLOWED");
        assertThat(entry.payload().path("argsJson").asText()).isEqualTo(RunLedger.ARGS);
    }

    @Test
    void everyLedgerEventTypeIsProjectedByTheseTests() {
        List<Supplier<LedgerEvent>> all = List.of(run::admitted, () -> run.rejected(ReasonCode.NO_MATCHING_RULE),
                () -> run.approved("a", "t"), () -> run.denied("b", "t", ReasonCode.DENIED_BY_RULE),
                () -> run.held("c", "t"), () -> run.granted("c"), () -> run.approvalDenied("c"),
                () -> run.expired("c"), () -> run.completed("a", "t", ToolCallStatus.SUCCEEDED, 1, null),
                () -> run.usage(1, 1, 1, 2), run::budgetExhausted, () -> run.artifact("s"),
                () -> run.gate("s", true), () -> run.stageAdvanced("s"), () -> run.halted(ReasonCode.KILL_SWITCH),
                run::runCompleted, () -> run.commandRejected(null, ReasonCode.COMMAND_INVALID));
        Set<String> types = new TreeSet<>();
        for (Supplier<LedgerEvent> next : all) {
            LedgerEvent event = next.get();
            types.add(LedgerFold.type(event));
            RunView after = apply(event);
            assertThat(after.lastSeq()).isEqualTo(event.getSeq());
        }
        Set<String> schemaTypes = new TreeSet<>();
        LedgerEvent.getClassSchema().getField("payload").schema().getTypes()
                .forEach(s -> schemaTypes.add(s.getName()));
        assertThat(types).isEqualTo(schemaTypes);
    }
}

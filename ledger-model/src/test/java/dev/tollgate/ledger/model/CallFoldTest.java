package dev.tollgate.ledger.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.ledger.model.testing.RunLedger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Given these ledger events, then this call view / held-call view: the fold every reader of the ledger shares. */
class CallFoldTest {

    private final RunLedger run = RunLedger.forTenant("acme");

    private static ToolCallView call(LedgerEvent... given) {
        ToolCallView view = null;
        for (LedgerEvent event : given) {
            view = LedgerFold.applyToCall(view, event);
        }
        return view;
    }

    private static HeldCallView held(LedgerEvent... given) {
        HeldCallView view = null;
        for (LedgerEvent event : given) {
            view = LedgerFold.applyToHeld(view, event);
        }
        return view;
    }

    @Test
    void aRejectedToolCallRequestIsADeniedCallWithTheRejectionsReasons() {
        LedgerEvent rejected = run.rejected(EventTypes.REQUEST_TOOL_CALL, "c1", ReasonCode.PRINCIPAL_MISMATCH);

        assertThat(LedgerFold.callIdOf(rejected)).contains("c1");
        ToolCallView view = call(rejected);
        assertThat(view.decision()).isEqualTo("DENIED");
        assertThat(view.runId()).isEqualTo(run.runId());
        assertThat(view.status()).isNull();
        assertThat(view.reasons()).extracting(ToolCallView.ReasonView::code).containsExactly("PRINCIPAL_MISMATCH");
    }

    @Test
    void aRejectedRequestReusingADecidedCallIdLeavesTheFirstCallAlone() {
        ToolCallView approved = call(run.approved("c1", "fs.read"),
                run.rejected(EventTypes.REQUEST_TOOL_CALL, "c1", ReasonCode.COMMAND_INVALID));

        assertThat(approved.decision()).isEqualTo("APPROVED");
        assertThat(approved.reasons()).isEmpty();
    }

    @Test
    void aRejectionOfAnotherCommandIsNotAboutACall() {
        LedgerEvent rejected = run.rejected("DecideApproval", "c1", ReasonCode.APPROVAL_NOT_PENDING);

        assertThat(LedgerFold.callIdOf(rejected)).isEmpty();
        assertThat(call(rejected)).isNull();
    }

    @Test
    void theRequestToolCallTypeNameComesFromItsSchema() {
        assertThat(EventTypes.REQUEST_TOOL_CALL).isEqualTo("RequestToolCall");
        assertThat(EventTypes.LEDGER_EVENTS).contains("CommandRejected", "ToolCallHeld").hasSize(17);
    }

    @Test
    void aCompletedCallKeepsItsStatusWhateverFollows() {
        ToolCallView view = call(run.approved("c1", "fs.read"),
                run.completed("c1", "fs.read", ToolCallStatus.FAILED, 0, null),
                run.rejected(EventTypes.REQUEST_TOOL_CALL, "c1", ReasonCode.COMMAND_INVALID));

        assertThat(view.decision()).isEqualTo("APPROVED");
        assertThat(view.status()).isEqualTo("FAILED");
    }

    @Test
    void aHeldCallIsPendingUntilItsApprovalIsDecided() {
        LedgerEvent heldEvent = run.held("c1", "email.send");
        HeldCallView pending = held(heldEvent);

        assertThat(pending.pending()).isTrue();
        assertThat(pending.runId()).isEqualTo(run.runId());
        assertThat(pending.tenantId()).isEqualTo("acme");
        assertThat(pending.runPrincipalId()).isEqualTo("agent-acme");
        assertThat(pending.approverRoles()).containsExactly("approver");
        assertThat(held(heldEvent, run.granted("c1")).status()).isEqualTo(HeldCallView.GRANTED);
    }

    @Test
    void denialsAndExpiriesEndAHeldCallAndTheFirstDecisionWins() {
        LedgerEvent heldEvent = run.held("c1", "email.send");
        LedgerEvent denied = run.approvalDenied("c1");
        LedgerEvent expired = run.expired("c1");

        assertThat(held(heldEvent, denied).status()).isEqualTo(HeldCallView.DENIED);
        assertThat(held(heldEvent, expired).status()).isEqualTo(HeldCallView.EXPIRED);
        assertThat(held(heldEvent, denied, expired).status()).isEqualTo(HeldCallView.DENIED);
    }

    @Test
    void onlyItsOwnRunAndCallChangeAHeldCall() {
        RunLedger other = RunLedger.forTenant("acme");
        LedgerEvent heldEvent = run.held("c1", "email.send");
        HeldCallView view = held(heldEvent);

        assertThat(LedgerFold.applyToHeld(view, other.granted("c1"))).isSameAs(view);
        assertThat(LedgerFold.applyToHeld(view, run.granted("c2"))).isSameAs(view);
        assertThat(LedgerFold.applyToHeld(null, run.granted("c3"))).isNull();
        assertThat(LedgerFold.applyToHeld(view, heldEvent)).isSameAs(view);
    }

    @Test
    void reappliedEventsChangeNothing() {
        LedgerEvent heldEvent = run.held("c1", "email.send");
        LedgerEvent granted = run.granted("c1");
        HeldCallView done = held(heldEvent, granted);

        assertThat(LedgerFold.applyToHeld(done, granted)).isSameAs(done);
        assertThat(List.of(done.status())).containsExactly("GRANTED");
    }
}

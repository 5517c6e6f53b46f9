package dev.tollgate.policy.approval;

import static dev.tollgate.policy.Fixtures.AGENT;
import static dev.tollgate.policy.Fixtures.REFERENCE;
import static dev.tollgate.policy.Fixtures.T0;
import static dev.tollgate.policy.Fixtures.TENANT;
import static dev.tollgate.policy.Fixtures.decideApproval;
import static dev.tollgate.policy.Fixtures.human;
import static dev.tollgate.policy.Fixtures.identity;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.ApprovalDenied;
import dev.tollgate.events.ApprovalExpired;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.Command;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.policy.RunHarness;
import dev.tollgate.policy.run.StaticPolicyContext;
import dev.tollgate.policy.state.CallStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class ApprovalDeciderTest {

    private static final String BULK = "{\"ticket_ids\":[1,2,3,4,5,6,7,8,9,10,11],\"fields\":{\"priority\":\"low\","
            + "\"customer_email\":\"jane@customer.org\"}}";
    /** The call is issued at T0+1s and the rule's expiresIn is PT30M. */
    private static final Instant EXPIRES_AT = T0.plusSeconds(1).plusSeconds(30 * 60);

    private static StaticPolicyContext context(Identity... extra) {
        Map<String, Identity> identities = new java.util.HashMap<>(Map.of(
                AGENT, identity(AGENT, true, "support-lead"),
                "lead", human("lead", TENANT, true, "support-lead"),
                "viewer", human("viewer", TENANT, true, "support"),
                "other-lead", human("other-lead", "globex", true, "support-lead"),
                "gone-lead", human("gone-lead", TENANT, false, "support-lead"),
                "agent-lead", identity("agent-lead", true, "support-lead")));
        for (Identity identity : extra) {
            identities.put(identity.getPrincipalId(), identity);
        }
        return new StaticPolicyContext(REFERENCE, identities, Map.of());
    }

    private static RunHarness held() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"));
        assertThat(run.when(toolCall("r1", "c1", "tickets.update", BULK))).singleElement()
                .isInstanceOfSatisfying(ToolCallHeld.class, h -> assertThat(h.getExpiresAt()).isEqualTo(EXPIRES_AT));
        return run;
    }

    private static Command decide(String approver, long secondsAfterT0, ApprovalDecision decision) {
        return decideApproval("r1", approver, T0.plusSeconds(secondsAfterT0), "c1", decision);
    }

    private static ReasonCode rejection(RunHarness run, Command command) {
        CommandRejected rejected = run.single(command, CommandRejected.class);
        assertThat(rejected.getCallId()).isEqualTo("c1");
        return rejected.getReasons().get(0).getCode();
    }

    @Test
    void anApproverOfTheTenantWithTheRoleApprovesAndTheIntactCallIsDispatched() {
        RunHarness run = held();
        ApprovalGranted granted = run.single(decide("lead", 60, ApprovalDecision.APPROVE), ApprovalGranted.class);

        assertThat(granted.getApproverId()).isEqualTo("lead");
        assertThat(granted.getReason()).isEqualTo("looked at it");
        ToolCallDispatch dispatch = run.dispatches().get(0);
        assertThat(dispatch.getCallId()).isEqualTo("c1");
        assertThat(dispatch.getArgsJson()).isEqualTo(BULK);
        assertThat(dispatch.getLedgerSeq()).isEqualTo(3);
        assertThat(dispatch.getApprovedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(dispatch.getCostMicros()).isEqualTo(5000);
        assertThat(run.state("r1").getCalls().get("c1").getStatus()).isEqualTo(CallStatus.APPROVED);
        assertThat(run.state("r1").getCalls().get("c1").getArgsJson()).isEmpty();
        assertThat(run.state("r1").getReservedCostMicros()).isEqualTo(5000);
    }

    @Test
    void thePrincipalThatRequestedTheCallCannotApproveIt() {
        // AGENT holds support-lead too: only the requester rule stops it.
        assertThat(rejection(held(), decide(AGENT, 60, ApprovalDecision.APPROVE))).isEqualTo(ReasonCode.SELF_APPROVAL);
    }

    @Test
    void anAgentHoldingAnApproverRoleCannotApprove() {
        RunHarness run = held();
        assertThat(rejection(run, decide("agent-lead", 60, ApprovalDecision.APPROVE)))
                .isEqualTo(ReasonCode.APPROVER_NOT_ALLOWED);
        assertThat(run.dispatches()).isEmpty();
    }

    @Test
    void anApproverWithoutTheRoleOrFromAnotherTenantIsNotAllowed() {
        RunHarness run = held();
        assertThat(rejection(run, decide("viewer", 60, ApprovalDecision.APPROVE)))
                .isEqualTo(ReasonCode.APPROVER_NOT_ALLOWED);
        assertThat(rejection(run, decide("other-lead", 61, ApprovalDecision.APPROVE)))
                .isEqualTo(ReasonCode.APPROVER_NOT_ALLOWED);
        assertThat(rejection(run, decide("gone-lead", 62, ApprovalDecision.APPROVE)))
                .isEqualTo(ReasonCode.IDENTITY_DISABLED);
        assertThat(rejection(run, decide("nobody", 63, ApprovalDecision.APPROVE)))
                .isEqualTo(ReasonCode.IDENTITY_UNKNOWN);
        assertThat(run.state("r1").getCalls().get("c1").getStatus()).isEqualTo(CallStatus.HELD);
        assertThat(run.dispatches()).isEmpty();
    }

    @Test
    void aDenialDeniesTheCallAndReleasesItsReservation() {
        RunHarness run = held();
        ApprovalDenied denied = run.single(decide("lead", 60, ApprovalDecision.DENY), ApprovalDenied.class);

        assertThat(denied.getApproverId()).isEqualTo("lead");
        assertThat(run.dispatches()).isEmpty();
        assertThat(run.state("r1").getCalls().get("c1").getStatus()).isEqualTo(CallStatus.DENIED);
        assertThat(run.state("r1").getReservedCostMicros()).isZero();
        assertThat(run.state("r1").getToolCalls()).isZero();
    }

    @Test
    void aSecondDecisionForTheSameCallIsRejected() {
        RunHarness run = held();
        run.when(decide("lead", 60, ApprovalDecision.APPROVE));
        assertThat(rejection(run, decide("lead", 61, ApprovalDecision.DENY)))
                .isEqualTo(ReasonCode.APPROVAL_NOT_PENDING);
        assertThat(rejection(run, decide("lead", 62, ApprovalDecision.APPROVE)))
                .isEqualTo(ReasonCode.APPROVAL_NOT_PENDING);
        assertThat(run.dispatches()).hasSize(1);
    }

    @Test
    void aDecisionForACallThatWasNeverHeldIsRejected() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"));
        assertThat(rejection(run, decide("lead", 60, ApprovalDecision.APPROVE)))
                .isEqualTo(ReasonCode.APPROVAL_NOT_PENDING);
    }

    @Test
    void aCallNotDecidedByItsExpiryExpiresAtItsExpiryNotWhenNoticed() {
        RunHarness run = held();
        assertThat(run.timers("r1", EXPIRES_AT.minusMillis(1))).isEmpty();
        List<SpecificRecord> events = run.timers("r1", EXPIRES_AT.plusSeconds(42));

        assertThat(events).singleElement().isInstanceOfSatisfying(ApprovalExpired.class,
                e -> assertThat(e.getExpiresAt()).isEqualTo(EXPIRES_AT));
        LedgerEvent expired = run.ledger().get(2);
        assertThat(expired.getOccurredAt()).isEqualTo(EXPIRES_AT);
        assertThat(expired.getCausationId()).isNull();
        assertThat(expired.getPrincipalId()).isEqualTo(AGENT);
        assertThat(run.state("r1").getCalls().get("c1").getStatus()).isEqualTo(CallStatus.EXPIRED);
        assertThat(run.state("r1").getReservedCostMicros()).isZero();
        assertThat(run.timers("r1", EXPIRES_AT.plusSeconds(100))).as("expires once").isEmpty();
        assertThat(rejection(run, decide("lead", 3600, ApprovalDecision.APPROVE)))
                .isEqualTo(ReasonCode.APPROVAL_EXPIRED);
        assertThat(run.dispatches()).isEmpty();
    }

    @Test
    void aDecisionIssuedAfterTheExpiryFirstExpiresTheCallAsThePunctuatorWouldHave() {
        Command late = decide("lead", 3600, ApprovalDecision.APPROVE);
        RunHarness noticedByCommand = held();
        List<SpecificRecord> events = noticedByCommand.when(late);
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(ApprovalExpired.class);
        assertThat(((CommandRejected) events.get(1)).getReasons().get(0).getCode())
                .isEqualTo(ReasonCode.APPROVAL_EXPIRED);

        RunHarness noticedByTimer = held();
        noticedByTimer.timers("r1", EXPIRES_AT.plusMillis(200));
        noticedByTimer.when(late);

        // The two harnesses hold different ToolCallHeld command ids: compare what does not depend on them.
        assertThat(noticedByCommand.ledger()).hasSameSizeAs(noticedByTimer.ledger());
        for (int i = 2; i < 4; i++) {
            LedgerEvent a = noticedByCommand.ledger().get(i);
            LedgerEvent b = noticedByTimer.ledger().get(i);
            assertThat(a.getPayload()).isEqualTo(b.getPayload());
            assertThat(a.getOccurredAt()).isEqualTo(b.getOccurredAt());
            assertThat(a.getCausationId()).isEqualTo(b.getCausationId());
        }
    }

    @Test
    void aDecisionIssuedJustBeforeTheExpiryIsStillDecided() {
        RunHarness run = held();
        Command justInTime = decideApproval("r1", "lead", EXPIRES_AT.minusMillis(1), "c1", ApprovalDecision.APPROVE);
        assertThat(run.single(justInTime, ApprovalGranted.class).getApproverId()).isEqualTo("lead");
        assertThat(run.timers("r1", EXPIRES_AT.plusSeconds(1))).isEmpty();
    }
}

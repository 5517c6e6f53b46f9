package dev.tollgate.intake.console;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.Command;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.Topics;
import dev.tollgate.intake.command.Ids;
import dev.tollgate.intake.command.Traceparent;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.kafka.Publisher;
import dev.tollgate.intake.ledger.LedgerWatcher;
import dev.tollgate.ledger.model.HeldCallView;
import java.time.Clock;

/**
 * {@link ConsoleApprovals} over intake's ledger view of held calls ({@link LedgerWatcher}, fed by
 * {@code tollgate.ledger.v1}) and the command topic: the checks and the command of
 * {@code POST /v1/approvals/{callId}}, with the run named too. Writes one {@code DecideApproval} to
 * {@code tollgate.commands.v1}, keyed by runId, with the same derived commandId as the HTTP route, so deciding
 * the same call twice the same way is one command.
 */
public final class LedgerApprovals implements ConsoleApprovals {

    private final LedgerWatcher ledger;
    private final Publisher publisher;
    private final Clock clock;

    public LedgerApprovals(LedgerWatcher ledger, Publisher publisher, Clock clock) {
        this.ledger = ledger;
        this.publisher = publisher;
        this.clock = clock;
    }

    @Override
    public Outcome decide(Principal person, String runId, String callId, boolean approve, String reason) {
        if (!person.isHuman()) {
            return Outcome.refused(403, "approvals are decided by people");
        }
        // By (runId, callId), from intake's recent window of the ledger (a callId is unique within its run only).
        HeldCallView held = ledger.heldCall(runId, callId).orElse(null);
        if (held == null || !held.tenantId().equals(person.tenantId())) {
            return Outcome.refused(404, "no call held for approval with that id in this run");
        }
        if (!held.pending()) {
            return Outcome.refused(409, "the call is no longer waiting for a decision");
        }
        if (!held.approverRoles().isEmpty() && held.approverRoles().stream().noneMatch(person.roles()::contains)) {
            return Outcome.refused(403, "deciding this call needs one of the roles " + held.approverRoles());
        }
        if (held.runPrincipalId().equals(person.principalId())) {
            return Outcome.refused(403, "a principal cannot approve its own call");
        }
        ApprovalDecision decision = approve ? ApprovalDecision.APPROVE : ApprovalDecision.DENY;
        String commandId = Ids.derived("decide-approval", person.tenantId(), person.principalId(), runId, callId,
                decision.name());
        Command command = Command.newBuilder()
                .setCommandId(commandId)
                .setRunId(runId)
                .setTenantId(person.tenantId())
                .setPrincipalId(person.principalId())
                .setIssuedAt(clock.instant())
                .setTraceparent(Traceparent.fromHeaderOrStart(null))
                .setPayload(DecideApproval.newBuilder().setCallId(callId).setDecision(decision)
                        .setReason(reason == null ? "" : reason).build())
                .build();
        publisher.publish(Topics.COMMANDS, runId, command);
        return Outcome.accepted((approve ? "Approved" : "Denied") + " call " + callId + " of run " + runId + ".");
    }
}

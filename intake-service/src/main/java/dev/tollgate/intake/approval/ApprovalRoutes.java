package dev.tollgate.intake.approval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.intake.command.CommandProducer;
import dev.tollgate.intake.command.Ids;
import dev.tollgate.intake.http.Answers;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.BodyReader;
import dev.tollgate.intake.http.ErrorCode;
import dev.tollgate.intake.http.Feature;
import dev.tollgate.intake.http.JsonBody;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.ledger.HeldCallIndex;
import dev.tollgate.intake.ledger.ProjectorLookup;
import dev.tollgate.ledger.model.HeldCallView;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;

/**
 * Human routes {@code POST /v1/runs/{runId}/tool-calls/{callId}/approval} and {@code POST /v1/approvals/{callId}}:
 * approve or deny a call held for approval in the human's tenant. A callId is unique only within its run (agents
 * choose them), so a held call is addressed by (runId, callId); the short route is kept while the callId is held in
 * one run of the tenant only, else 409 {@code AMBIGUOUS_CALL_ID} names the candidate runIds. The held calls come from
 * the {@link HeldCallIndex} (intake's recent window of {@code tollgate.ledger.v1} and the projector's held-call
 * index, with every candidate); the decision is one {@code DecideApproval} command on {@code tollgate.commands.v1},
 * keyed by that run, with a derived command id, so a repeated decision is applied once.
 */
public final class ApprovalRoutes implements Feature {

    private final Authenticator auth;
    private final BodyReader bodies;
    private final CommandProducer commands;
    private final HeldCallIndex heldCalls;

    public ApprovalRoutes(Authenticator auth, BodyReader bodies, CommandProducer commands, HeldCallIndex heldCalls) {
        this.auth = auth;
        this.bodies = bodies;
        this.commands = commands;
        this.heldCalls = heldCalls;
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.post("/v1/runs/{runId}/tool-calls/{callId}/approval", this::decideByRun);
        config.routes.post("/v1/approvals/{callId}", this::decideByCallId);
    }

    private void decideByRun(Context ctx) {
        Principal human = auth.human(ctx);
        String callId = callId(ctx);
        String runId = ctx.pathParam("runId").toLowerCase(Locale.ROOT);
        HeldCallView held;
        try {
            held = Ids.isUuid(runId) ? heldCalls.byRun(runId, callId, ctx.header("Authorization"))
                    .filter(h -> h.tenantId().equals(human.tenantId())).orElse(null) : null;
        } catch (ProjectorLookup.Unavailable e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "held calls cannot be looked up right now; retry");
        }
        if (held == null) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no call held for approval with that id in that run");
        }
        decide(ctx, human, held);
    }

    private void decideByCallId(Context ctx) {
        Principal human = auth.human(ctx);
        String callId = callId(ctx);
        List<HeldCallView> candidates;
        try {
            candidates = heldCalls.byTenant(human.tenantId(), callId, ctx.header("Authorization"));
        } catch (ProjectorLookup.Unavailable e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "held calls cannot be looked up right now; retry");
        }
        List<HeldCallView> pending = candidates.stream().filter(HeldCallView::pending).toList();
        List<HeldCallView> choice = pending.isEmpty() ? candidates : pending;
        if (choice.isEmpty()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no call held for approval with that id");
        }
        if (choice.size() > 1) {
            ArrayNode runIds = Answers.JSON.arrayNode();
            choice.stream().map(HeldCallView::runId).sorted().forEach(runIds::add);
            throw ApiException.withDetails(ErrorCode.AMBIGUOUS_CALL_ID, "call " + callId + " is held in "
                    + choice.size() + " runs; decide it with POST /v1/runs/{runId}/tool-calls/" + callId
                    + "/approval", Answers.JSON.objectNode().set("runIds", runIds));
        }
        decide(ctx, human, choice.get(0));
    }

    private static String callId(Context ctx) {
        String callId = ctx.pathParam("callId");
        if (!JsonBody.IDENT.matcher(callId).matches()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no call held for approval with that id");
        }
        return callId;
    }

    private void decide(Context ctx, Principal human, HeldCallView held) {
        String callId = held.callId();
        JsonBody body = bodies.json(ctx);
        ApprovalDecision decision = switch (body.requiredString("decision", 16).toLowerCase(Locale.ROOT)) {
            case "approve" -> ApprovalDecision.APPROVE;
            case "deny" -> ApprovalDecision.DENY;
            default -> throw ApiException.fieldInvalid("decision", "must be approve or deny");
        };
        String reason = body.optionalString("reason", 2000).orElse("");
        if (!held.pending()) {
            throw new ApiException(ErrorCode.CONFLICT, "the call is no longer pending approval");
        }
        if (!held.approverRoles().isEmpty() && held.approverRoles().stream().noneMatch(human.roles()::contains)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "an approver role is required: " + held.approverRoles());
        }
        if (held.runPrincipalId().equals(human.principalId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "a principal cannot approve its own call");
        }
        String commandId = Ids.derived("decide-approval", human.tenantId(), human.principalId(), held.runId(),
                callId, decision.name());
        DecideApproval payload = DecideApproval.newBuilder()
                .setCallId(callId).setDecision(decision).setReason(reason).build();
        commands.produce(ctx, human, held.runId(), commandId, payload);
        Answers.json(ctx, 202, Answers.JSON.objectNode().put("callId", callId).put("runId", held.runId())
                .put("decision", decision.name().toLowerCase(Locale.ROOT)).put("commandId", commandId));
    }
}

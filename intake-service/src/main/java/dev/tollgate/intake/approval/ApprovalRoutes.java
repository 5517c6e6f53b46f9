package dev.tollgate.intake.approval;

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
 * Human route {@code POST /v1/approvals/{callId}}: approve or deny a call held for approval in the human's tenant.
 * The held call (and its run) come from the {@link HeldCallIndex} (intake's recent window of the ledger and the
 * projector's held-call index), with every candidate: a callId held in two runs of the tenant is ambiguous (409)
 * rather than resolved to one of them. The decision is one {@code DecideApproval}
 * command on {@code tollgate.commands.v1} with a derived command id, so a repeated decision is applied once.
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
        config.routes.post("/v1/approvals/{callId}", this::decideApproval);
    }

    private void decideApproval(Context ctx) {
        Principal human = auth.human(ctx);
        String callId = ctx.pathParam("callId");
        if (!JsonBody.IDENT.matcher(callId).matches()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no call held for approval with that id");
        }
        JsonBody body = bodies.json(ctx);
        ApprovalDecision decision = switch (body.requiredString("decision", 16).toLowerCase(Locale.ROOT)) {
            case "approve" -> ApprovalDecision.APPROVE;
            case "deny" -> ApprovalDecision.DENY;
            default -> throw ApiException.fieldInvalid("decision", "must be approve or deny");
        };
        String reason = body.optionalString("reason", 2000).orElse("");
        List<HeldCallView> candidates;
        try {
            candidates = heldCalls.byTenant(human.tenantId(), callId, ctx.header("Authorization"));
        } catch (ProjectorLookup.Unavailable e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "held calls cannot be looked up right now; retry");
        }
        if (candidates.isEmpty()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no call held for approval with that id");
        }
        if (candidates.size() > 1) {
            throw new ApiException(ErrorCode.CONFLICT, "callId " + callId + " was held in " + candidates.size()
                    + " runs of the tenant; decide it by run");
        }
        HeldCallView held = candidates.get(0);
        if (!held.pending()) {
            throw new ApiException(ErrorCode.CONFLICT, "the call is no longer pending approval");
        }
        if (!held.approverRoles().isEmpty() && held.approverRoles().stream().noneMatch(human.roles()::contains)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "an approver role is required: " + held.approverRoles());
        }
        if (held.runPrincipalId().equals(human.principalId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "a principal cannot approve its own call");
        }
        String commandId = Ids.derived("decide-approval", human.tenantId(), human.principalId(), callId,
                decision.name());
        DecideApproval payload = DecideApproval.newBuilder()
                .setCallId(callId).setDecision(decision).setReason(reason).build();
        commands.produce(ctx, human, held.runId(), commandId, payload);
        Answers.json(ctx, 202, Answers.JSON.objectNode().put("callId", callId).put("runId", held.runId())
                .put("decision", decision.name().toLowerCase(Locale.ROOT)).put("commandId", commandId));
    }
}

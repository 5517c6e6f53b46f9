package dev.tollgate.intake.run;

import dev.tollgate.intake.command.Ids;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.ErrorCode;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.ledger.RunDirectory;
import dev.tollgate.intake.ledger.RunOwner;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether an agent may act in the run of a request's path, from the run's owner as the {@link RunDirectory} knows
 * it (intake's recent window of {@code tollgate.ledger.v1}, else the projector's run view). Another tenant's run is a
 * 404 and another principal's a 403 when the owner is known; a run not (yet) known is accepted and left to the
 * policy-processor, which rejects commands of a principal that does not own the run (PRINCIPAL_MISMATCH).
 */
public final class RunAccess {

    private final RunDirectory directory;

    public RunAccess(RunDirectory directory) {
        this.directory = directory;
    }

    /** The run id of the path ({@code {runId}}), lower-cased, if the agent may act in it. */
    public String ownRun(Context ctx, Principal agent) {
        String runId = ctx.pathParam("runId");
        if (!Ids.isUuid(runId)) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such run");
        }
        runId = runId.toLowerCase(Locale.ROOT);
        Optional<RunOwner> owner = directory.owner(runId, ctx.header("Authorization"));
        if (owner.isPresent() && !owner.get().tenantId().equals(agent.tenantId())) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such run");
        }
        if (owner.isPresent() && !owner.get().principalId().equals(agent.principalId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "the run belongs to another principal");
        }
        return runId;
    }
}

package dev.tollgate.intake.run;

import dev.tollgate.intake.command.Ids;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.ErrorCode;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.ledger.RunDirectory;
import dev.tollgate.intake.ledger.RunOwner;
import io.javalin.http.Context;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether an agent may act in the run of a request's path. Ownership comes only from admission: the run's
 * {@code RunAdmitted}/{@code RunRejected} as the {@link RunDirectory} knows it (intake's recent window of
 * {@code tollgate.ledger.v1}, else the projector's run view), or, until intake has read it, the {@code RequestRun}
 * this intake produced for the same principal (the processor reads a run's commands in order, so the admission comes
 * first). Any other run is a 404, whether it does not exist, is not admitted yet, is another tenant's or cannot be
 * looked up right now; another principal's run of the tenant is a 403. A command can therefore never create a run or
 * its ownership.
 */
public final class RunAccess {

    private static final int MAX_REQUESTED = 100_000;

    private final RunDirectory directory;
    private final Map<String, RunOwner> requested = Collections.synchronizedMap(
            new LinkedHashMap<String, RunOwner>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, RunOwner> eldest) {
                    return size() > MAX_REQUESTED;
                }
            });

    public RunAccess(RunDirectory directory) {
        this.directory = directory;
    }

    /** Remembers that this intake produced the run's RequestRun for the agent, until the ledger says who owns it. */
    public void requested(String runId, Principal agent) {
        requested.put(runId, new RunOwner(agent.tenantId(), agent.principalId()));
    }

    /** The run id of the path ({@code {runId}}), lower-cased, if the agent may act in it. */
    public String ownRun(Context ctx, Principal agent) {
        String runId = ctx.pathParam("runId");
        if (!Ids.isUuid(runId)) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such run");
        }
        String id = runId.toLowerCase(Locale.ROOT);
        Optional<RunOwner> owner = directory.owner(id, ctx.header("Authorization"))
                .or(() -> Optional.ofNullable(requested.get(id)));
        if (owner.isEmpty() || !owner.get().tenantId().equals(agent.tenantId())) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such run");
        }
        if (!owner.get().principalId().equals(agent.principalId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "the run belongs to another principal");
        }
        return id;
    }
}

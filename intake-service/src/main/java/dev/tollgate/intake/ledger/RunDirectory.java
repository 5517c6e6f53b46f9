package dev.tollgate.intake.ledger;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whose a run is, in O(1): from the recent window of the ledger ({@link LedgerWatcher}) when it is there, else one
 * lookup in the projector's run views ({@link ProjectorLookup}), remembered. A run neither knows (just requested, or
 * the projector unreachable) is unknown, and the policy-processor, which checks ownership of every command, decides.
 */
public final class RunDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);

    private final LedgerWatcher ledger;
    private final ProjectorLookup projector;

    public RunDirectory(LedgerWatcher ledger, ProjectorLookup projector) {
        this.ledger = ledger;
        this.projector = projector;
    }

    /** The owner of a run, if known; {@code authorization} is the caller's header, for the projector. */
    public Optional<RunOwner> owner(String runId, String authorization) {
        Optional<RunOwner> seen = ledger.runOwner(runId);
        if (seen.isPresent() || !projector.configured()) {
            return seen;
        }
        try {
            Optional<RunOwner> looked = projector.runOwner(runId, authorization);
            looked.ifPresent(owner -> ledger.rememberOwner(runId, owner));
            return looked;
        } catch (ProjectorLookup.Unavailable e) {
            LOG.debug("owner of runId={} unknown: {}", runId, e.getMessage());
            return Optional.empty();
        }
    }
}

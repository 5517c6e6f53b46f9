package dev.tollgate.intake.ledger;

import dev.tollgate.ledger.model.HeldCallView;
import java.util.List;
import java.util.Optional;

/**
 * Where intake looks up what is older than its recent window of the ledger: the projector's stores, one key
 * lookup each ({@code GET /v1/runs/{runId}} and {@code GET /v1/held-calls/{callId}} of the query API, asked with the
 * caller's own API key, so the projector applies the same tenant rules). {@link #NONE} when no projector is
 * configured: then only the recent window is known.
 */
public interface ProjectorLookup {

    /** No projector: nothing older than the recent window is known. */
    ProjectorLookup NONE = new ProjectorLookup() {
        @Override
        public boolean configured() {
            return false;
        }

        @Override
        public Optional<RunOwner> runOwner(String runId, String authorization) {
            return Optional.empty();
        }

        @Override
        public List<HeldCallView> heldCalls(String callId, String runId, String authorization) {
            return List.of();
        }
    };

    /** Whether lookups go anywhere. */
    boolean configured();

    /**
     * The owner of a run the caller can see; empty when the projector does not know it (yet) or the caller may not
     * see it.
     *
     * @throws Unavailable when the projector cannot answer now
     */
    Optional<RunOwner> runOwner(String runId, String authorization);

    /**
     * Every held call with this callId the caller can see, pending or decided; only that of {@code runId} when it
     * is not null.
     *
     * @throws Unavailable when the projector cannot answer now
     */
    List<HeldCallView> heldCalls(String callId, String runId, String authorization);

    /** The projector could not answer (unreachable, starting, rebalancing). */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }
}

package dev.tollgate.policy.run;

import dev.tollgate.events.ArtifactContent;
import dev.tollgate.events.ToolCallDispatch;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * One ledger payload a decider emitted, with what must travel beside it but never into the ledger.
 *
 * @param payload       the ledger event's payload ({@code RunAdmitted}, {@code ToolCallDenied}, ...)
 * @param dispatch      the dispatch of an approved call (its {@code ledgerSeq} is filled in when appended), or null
 * @param stateOnly     what the run state keeps but the ledger must not or need not: the run input of an admitted
 *                      run, the intact arguments of a held call (dispatched as they are upon approval); or null
 * @param artifact      the content of a recorded artifact, for {@code tollgate.artifacts.v1}, or null
 * @param timerAt       for an event no command caused (an approval expiring, a run halted by a kill switch or a
 *                      revoked identity): its event time; the envelope then names the run's tenant and principal
 *                      and no causation. Null for an answer to the command or result being decided.
 */
public record Decided(SpecificRecord payload, ToolCallDispatch dispatch, String stateOnly, ArtifactContent artifact,
                      Instant timerAt) {

    public Decided(SpecificRecord payload, ToolCallDispatch dispatch, String stateOnly) {
        this(payload, dispatch, stateOnly, null, null);
    }

    public static Decided of(SpecificRecord payload) {
        return new Decided(payload, null, null);
    }

    /** An event of a timer or of a global change, at its own event time. */
    public static Decided timer(SpecificRecord payload, Instant at) {
        return new Decided(payload, null, null, null, at);
    }
}

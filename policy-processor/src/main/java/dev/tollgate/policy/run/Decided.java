package dev.tollgate.policy.run;

import dev.tollgate.events.ToolCallDispatch;
import org.apache.avro.specific.SpecificRecord;

/**
 * One ledger payload a decider emitted, with what must travel beside it but never into the ledger.
 *
 * @param payload       the ledger event's payload ({@code RunAdmitted}, {@code ToolCallDenied}, ...)
 * @param dispatch      the dispatch of an approved call (its {@code ledgerSeq} is filled in when appended), or null
 * @param stateOnly     what the run state keeps but the ledger must not or need not: the run input of an admitted
 *                      run, the intact arguments of a held call (dispatched as they are upon approval); or null
 */
public record Decided(SpecificRecord payload, ToolCallDispatch dispatch, String stateOnly) {

    public static Decided of(SpecificRecord payload) {
        return new Decided(payload, null, null);
    }
}

package dev.tollgate.projector.replay;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.ledger.model.LedgerFold;
import dev.tollgate.ledger.model.RunView;
import dev.tollgate.projector.verify.LedgerEventDecoder;
import dev.tollgate.projector.verify.RawLedgerRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Rebuilds run views from raw ledger records with the projector's own function, {@link LedgerFold#applyToRun},
 * for {@code tollgate ledger replay}. Feed records in topic order; read the views with {@link #views()}. A replay
 * that starts after a run's first event builds the view from the events it saw.
 */
public final class LedgerReplay {

    private final LedgerEventDecoder decoder;
    private final String runFilter;
    // A hash map while folding (one lookup per event); sorted only when read.
    private final Map<String, Run> runs = new HashMap<>();
    private long applied;
    private long undecodable;

    /**
     * @param decoder   decodes a ledger record value (Confluent wire format)
     * @param runFilter only this run, or {@code null} for every run
     */
    public LedgerReplay(Deserializer<LedgerEvent> decoder, String runFilter) {
        this(LedgerEventDecoder.full(decoder), runFilter);
    }

    /**
     * @param decoder   decodes a ledger record value; it must read at least {@link LedgerFold#RUN_VIEW_FIELDS}
     *                  (see {@link #decoder})
     * @param runFilter only this run, or {@code null} for every run
     */
    public LedgerReplay(LedgerEventDecoder decoder, String runFilter) {
        this.decoder = decoder;
        this.runFilter = runFilter;
    }

    /** The decoder replay needs: the envelope fields the fold reads, the others skipped. */
    public static LedgerEventDecoder decoder(TollgateSerdes serdes) {
        return LedgerEventDecoder.of(serdes, LedgerFold.RUN_VIEW_FIELDS);
    }

    /** Applies one record; an undecodable record is counted and skipped. */
    public void accept(RawLedgerRecord record) {
        if (runFilter != null && record.key() != null && !runFilter.equals(record.key())) {
            return;
        }
        LedgerEvent event;
        try {
            event = decoder.decode(record.value());
        } catch (RuntimeException e) {
            event = null;
        }
        if (event == null) { // undecodable, or a null value (the serde's answer to a tombstone)
            undecodable++;
            return;
        }
        if (runFilter != null && !runFilter.equals(event.getRunId())) {
            return;
        }
        Run run = runs.computeIfAbsent(event.getRunId(), id -> new Run());
        // The fold only carries the hash into headHash, so it is computed once per run, for the last event applied,
        // when the views are read (a repeated seq leaves the view, and so its last event, unchanged).
        RunView next = LedgerFold.applyToRun(run.view, event, null);
        if (next != run.view) {
            run.view = next;
            run.lastApplied = record.value();
        }
        applied++;
    }

    /** The views rebuilt so far, by runId. */
    public Map<String, RunView> views() {
        Map<String, RunView> out = new TreeMap<>();
        runs.forEach((runId, run) ->
                out.put(runId, run.view.withHeadHash(LedgerHash.ofRecordValue(run.lastApplied))));
        return out;
    }

    /** Records applied (including ones the projection found already applied). */
    public long applied() {
        return applied;
    }

    /** Records that could not be decoded. */
    public long undecodable() {
        return undecodable;
    }

    /** One run's view so far and the raw value of the last record that changed it. */
    private static final class Run {
        private RunView view;
        private byte[] lastApplied;
    }
}

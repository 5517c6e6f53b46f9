package dev.tollgate.projector;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.ledger.model.HeldCallView;
import dev.tollgate.ledger.model.LedgerFold;
import dev.tollgate.ledger.model.ToolCallView;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies events about a tool call, keyed by callId, to the call's view in {@code tool-call-store} and, for a call
 * held for approval, to its entry in {@code held-call-store}. The value is a
 * list because two runs may use the same callId; each entry is updated only by its own run's events, and only by
 * events above the entry's {@code lastSeq}.
 */
final class ToolCallProcessor implements Processor<String, byte[], Void, Void> {

    private final Deserializer<LedgerEvent> deserializer;
    private KeyValueStore<String, List<ToolCallView>> calls;
    private KeyValueStore<String, List<HeldCallView>> held;

    ToolCallProcessor(Deserializer<LedgerEvent> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.calls = context.getStateStore(ProjectorTopology.TOOL_CALL_STORE);
        this.held = context.getStateStore(ProjectorTopology.HELD_CALL_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        LedgerEvent event = deserializer.deserialize("tollgate.ledger.v1", record.value());
        String callId = record.key();
        applyToEntryOfRun(held, callId, event, HeldCallView::runId, LedgerFold::applyToHeld);
        applyToEntryOfRun(calls, callId, event, ToolCallView::runId, LedgerFold::applyToCall);
    }

    /**
     * Folds {@code event} into the entry of its run in the list {@code store} keeps under {@code callId} (adding the
     * entry for a run the list does not have yet); writes nothing when the fold leaves the entry as it was.
     */
    private static <V> void applyToEntryOfRun(KeyValueStore<String, List<V>> store, String callId, LedgerEvent event,
                                              Function<V, String> runIdOf, BiFunction<V, LedgerEvent, V> fold) {
        List<V> existing = store.get(callId);
        List<V> updated = new ArrayList<>(existing == null ? List.of() : existing);
        int index = -1;
        for (int i = 0; i < updated.size(); i++) {
            if (runIdOf.apply(updated.get(i)).equals(event.getRunId())) {
                index = i;
            }
        }
        V before = index < 0 ? null : updated.get(index);
        V after = fold.apply(before, event);
        if (after == before) {
            return;
        }
        if (index < 0) {
            updated.add(after);
        } else {
            updated.set(index, after);
        }
        store.put(callId, List.copyOf(updated));
    }
}

package dev.tollgate.ledger.model;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.RequestToolCall;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Event and command type names, taken from the Avro schemas rather than written as strings, so a renamed or added
 * schema cannot silently fall out of a match.
 */
public final class EventTypes {

    /** The schema name of the {@code RequestToolCall} command, as a {@code CommandRejected} names it. */
    public static final String REQUEST_TOOL_CALL = RequestToolCall.getClassSchema().getName();

    /** Every ledger event type, in the order of the {@code LedgerEvent.payload} union. */
    public static final List<String> LEDGER_EVENTS = LedgerEvent.getClassSchema().getField("payload").schema()
            .getTypes().stream().map(Schema::getName).toList();

    private EventTypes() {
    }

    /** The type name of a ledger event: its payload's schema name ({@code RunAdmitted}, {@code ToolCallHeld}...). */
    public static String of(LedgerEvent event) {
        return ((IndexedRecord) event.getPayload()).getSchema().getName();
    }
}

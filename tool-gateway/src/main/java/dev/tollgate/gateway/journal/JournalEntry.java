package dev.tollgate.gateway.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.hash.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One marker of the gateway journal ({@code tollgate.gateway-journal.v1}), as canonical JSON
 * {@code {v:1, state, runId, callId, tool, argsSha256, startedAt, gatewayId}}.
 *
 * @param state     {@code STARTED} before a non-idempotent call runs, {@code FINISHED} with its result
 * @param startedAt when the call started (epoch millis precision), so an unknown outcome can still be receipted
 */
public record JournalEntry(State state, String runId, String callId, String tool, String argsSha256,
                           Instant startedAt, String gatewayId) {

    /** The two markers. A FINISHED marker is final: nothing turns it back into STARTED. */
    public enum State { STARTED, FINISHED }

    /** The journal key of a call. */
    public static String key(String runId, String callId) {
        return runId + "/" + callId;
    }

    public String key() {
        return key(runId, callId);
    }

    public JournalEntry finished() {
        return new JournalEntry(State.FINISHED, runId, callId, tool, argsSha256, startedAt, gatewayId);
    }

    public byte[] toBytes() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("v", 1);
        node.put("state", state.name());
        node.put("runId", runId);
        node.put("callId", callId);
        node.put("tool", tool);
        node.put("argsSha256", argsSha256);
        node.put("startedAt", startedAt.toEpochMilli());
        node.put("gatewayId", gatewayId);
        return CanonicalJson.write(node).getBytes(StandardCharsets.UTF_8);
    }

    public static JournalEntry fromBytes(byte[] bytes) {
        JsonNode node = CanonicalJson.parse(new String(bytes, StandardCharsets.UTF_8));
        return new JournalEntry(State.valueOf(node.path("state").asText()), node.path("runId").asText(),
                node.path("callId").asText(), node.path("tool").asText(), node.path("argsSha256").asText(),
                Instant.ofEpochMilli(node.path("startedAt").asLong()), node.path("gatewayId").asText());
    }

    /** Merges two markers of one call: FINISHED wins over STARTED. */
    static JournalEntry merge(JournalEntry current, JournalEntry next) {
        if (current == null) {
            return next;
        }
        return current.state() == State.FINISHED ? current : next;
    }
}

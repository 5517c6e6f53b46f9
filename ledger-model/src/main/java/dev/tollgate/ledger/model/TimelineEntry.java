package dev.tollgate.ledger.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One event of a run's timeline, an element of {@code GET /v1/runs/{runId}/events}.
 *
 * @param type       the payload's event name, {@code RunAdmitted}, {@code ToolCallDenied}, ...
 * @param occurredAt ISO-8601
 * @param hash       the event's own hash (SHA-256 of its Avro body)
 * @param payload    the payload's fields as JSON
 * @param traceId    the W3C trace id of the request the event answers (from the envelope's traceparent), or null
 */
public record TimelineEntry(long seq, String type, String occurredAt, String prevHash, String hash,
                            JsonNode payload, String traceId) {
}

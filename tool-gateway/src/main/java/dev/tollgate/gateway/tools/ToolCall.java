package dev.tollgate.gateway.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;

/**
 * One invocation of a {@link Tool}.
 *
 * @param runId    the run the call belongs to
 * @param callId   the call's id, unique within the run
 * @param args     the validated arguments
 * @param deadline    when the call must have returned
 * @param traceparent the W3C trace context of the call (the gateway's execution span), passed on to upstreams;
 *                    null when there is none
 */
public record ToolCall(String runId, String callId, JsonNode args, Instant deadline, String traceparent) {

    /** A call without a trace context. */
    public ToolCall(String runId, String callId, JsonNode args, Instant deadline) {
        this(runId, callId, args, deadline, null);
    }

    /** The key an idempotent tool passes on to whatever it calls, so a retry is recognised as such. */
    public String idempotencyKey() {
        return runId + "/" + callId;
    }

    /** Time left until the deadline, never negative. */
    public Duration remaining() {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }
}

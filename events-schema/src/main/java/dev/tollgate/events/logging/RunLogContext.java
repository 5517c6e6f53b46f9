package dev.tollgate.events.logging;

import org.slf4j.MDC;

/**
 * Puts a run's {@code runId} and, when the request has a W3C trace context, its {@code traceId} into the SLF4J MDC
 * for the lines logged while one record or request of that run is handled; closing restores what was there before
 * (handlers nest, threads are pooled). The text layout prints both, the JSON layout writes them as fields.
 */
public final class RunLogContext implements AutoCloseable {

    /** MDC key of the run id. */
    public static final String RUN_ID = "runId";
    /** MDC key of the trace id (32 hex digits of the traceparent). */
    public static final String TRACE_ID = "traceId";

    private final String previousRunId;
    private final String previousTraceId;

    private RunLogContext(String runId, String traceId) {
        this.previousRunId = MDC.get(RUN_ID);
        this.previousTraceId = MDC.get(TRACE_ID);
        put(RUN_ID, runId);
        put(TRACE_ID, traceId);
    }

    /** Opens the context of {@code runId}, with the trace id of {@code traceparent} (null or invalid: none). */
    public static RunLogContext of(String runId, String traceparent) {
        return new RunLogContext(runId, traceId(traceparent));
    }

    /** The trace id of a {@code 00-<trace id>-<span id>-<flags>} traceparent, or null. */
    public static String traceId(String traceparent) {
        if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-'
                || traceparent.charAt(35) != '-') {
            return null;
        }
        return traceparent.substring(3, 35);
    }

    @Override
    public void close() {
        put(RUN_ID, previousRunId);
        put(TRACE_ID, previousTraceId);
    }

    private static void put(String key, String value) {
        if (value == null || value.isEmpty()) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}

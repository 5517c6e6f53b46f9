package dev.tollgate.gateway.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/**
 * A tool the gateway can run: the service-provider interface of the tool gateway. A tool declares its name, the
 * JSON Schema of its arguments and whether it is idempotent, and runs one call at a time per run.
 *
 * <p><b>Idempotency.</b> A tool that is not idempotent runs at most once per call: the gateway records durably on
 * Kafka that the call started before it runs it, and after a crash reports {@code OUTCOME_UNKNOWN} instead of
 * running it again. An idempotent tool may be retried; it receives the call id as its idempotency key
 * ({@link ToolCall#idempotencyKey()}).
 *
 * <p><b>Deadline.</b> {@link #execute} must return by {@link ToolCall#deadline()}; the gateway interrupts the thread
 * at the deadline and reports {@code TIMED_OUT} whatever the tool does afterwards.
 */
public interface Tool {

    /** The tool's name as policy bundles and dispatches spell it, like {@code http.fetch}. */
    String name();

    /** JSON Schema (text) of the arguments this tool accepts; the gateway validates against it before running. */
    String argsSchemaJson();

    /** Whether running the same call twice has the effect of running it once. */
    boolean idempotent();

    /**
     * Whether this particular call is idempotent; by default {@link #idempotent()}. A tool whose calls differ (an
     * HTTP GET is, a POST is not) says so per call.
     */
    default boolean idempotent(JsonNode args) {
        return idempotent();
    }

    /**
     * The tool's own timeout (an upstream server's {@code timeout:}); a {@code timeouts.<tool>} entry of the gateway
     * config wins over it, and without either {@code timeouts.default} applies.
     */
    default Optional<Duration> timeout() {
        return Optional.empty();
    }

    /**
     * The SHA-256 of the tool's current definition, for a tool whose definition comes from an upstream and can
     * change under the gateway; empty for a tool whose definition is part of the gateway. A pinned dispatch of a
     * tool with no such digest, or with a different one, is refused ({@code TOOL_DEFINITION_CHANGED}).
     *
     * @throws ToolException when the current definition cannot be learnt (the upstream is unreachable)
     */
    default Optional<String> currentDefinitionSha256() throws ToolException {
        return Optional.empty();
    }

    /**
     * Runs one call.
     *
     * @return the result as JSON
     * @throws ToolException for a refusal or failure the tool explains (egress denied, path escape, ...)
     * @throws Exception     any other failure; the call is reported {@code FAILED} with its class and message
     */
    JsonNode execute(ToolCall call) throws Exception;
}

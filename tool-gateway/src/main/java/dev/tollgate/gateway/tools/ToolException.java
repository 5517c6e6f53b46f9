package dev.tollgate.gateway.tools;

/**
 * A failure a tool explains: the gateway reports the call {@code FAILED} with this exception's class name as the
 * error class and its message as the error, so the message must be clear to the agent and must not leak secrets.
 */
public class ToolException extends Exception {

    private final boolean retriable;

    public ToolException(String message) {
        this(message, false, null);
    }

    public ToolException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    /**
     * What the result records as the error class: by default this exception's class name; a stable code (like
     * {@code TOOL_DEFINITION_CHANGED}) where the refusal has one.
     */
    public String errorClass() {
        return getClass().getName();
    }

    /** Whether an idempotent tool may be retried after this failure. */
    public boolean retriable() {
        return retriable;
    }
}

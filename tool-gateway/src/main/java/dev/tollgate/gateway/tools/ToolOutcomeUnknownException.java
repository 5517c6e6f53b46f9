package dev.tollgate.gateway.tools;

/**
 * The call reached whatever the tool drives, and then the connection was lost before an answer came (an upstream
 * server died mid-call): whether it took effect is unknown. The gateway reports {@code OUTCOME_UNKNOWN} and never
 * runs the call again.
 */
public class ToolOutcomeUnknownException extends ToolException {

    public ToolOutcomeUnknownException(String message, Throwable cause) {
        super(message, false, cause);
    }
}

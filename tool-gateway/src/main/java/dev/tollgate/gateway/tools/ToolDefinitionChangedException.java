package dev.tollgate.gateway.tools;

/**
 * A pinned call of a tool whose current definition no longer has the pinned SHA-256 (or has none): the gateway
 * refuses it before anything reaches the tool. Recorded with the stable error class {@value #CODE}.
 */
public class ToolDefinitionChangedException extends ToolException {

    /** The stable code of this refusal, in the result's {@code errorClass} and at the start of its error. */
    public static final String CODE = "TOOL_DEFINITION_CHANGED";

    public ToolDefinitionChangedException(String message) {
        super(CODE + ": " + message);
    }

    @Override
    public String errorClass() {
        return CODE;
    }
}

package dev.tollgate.gateway.tools;

/** The dispatch names a tool this gateway does not have. */
public final class ToolUnknownException extends ToolException {

    public ToolUnknownException(String tool) {
        super("tool '" + tool + "' is not available on this gateway");
    }
}

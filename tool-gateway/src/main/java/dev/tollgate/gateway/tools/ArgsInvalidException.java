package dev.tollgate.gateway.tools;

/** The call's arguments do not match the tool's schema or the schema the dispatch carried. */
public final class ArgsInvalidException extends ToolException {

    public ArgsInvalidException(String message) {
        super(message);
    }
}

package dev.tollgate.gateway.tools;

/** A result, a response body or a file is larger than {@code limits.maxResultBytes}. */
public final class ResultTooLargeException extends ToolException {

    public ResultTooLargeException(String message) {
        super(message);
    }
}

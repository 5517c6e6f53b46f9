package dev.tollgate.gateway.tools.fs;

import dev.tollgate.gateway.tools.ToolException;

/** A path that would leave the configured root: absolute, {@code ..} traversal, or a symbolic link outside. */
public final class PathEscapeException extends ToolException {

    public PathEscapeException(String message) {
        super(message);
    }
}

package dev.tollgate.gateway.upstream;

import dev.tollgate.gateway.tools.ToolException;
import java.util.Locale;

/**
 * A call to an upstream (an MCP server or a REST endpoint) that failed on the upstream's side, with a stable error
 * class {@code UPSTREAM_<KIND>} on the result and the kind as the {@code kind} label of
 * {@code tollgate_upstream_errors_total}, so an operator can tell a server that is down from one that answers errors.
 */
public final class UpstreamException extends ToolException {

    /** What went wrong with the upstream. */
    public enum Kind {
        /** The upstream could not be reached (connection refused, DNS, TLS); nothing was sent. */
        UNREACHABLE,
        /** The MCP server is not connected (it failed to start or was lost); the call was not sent. */
        NOT_CONNECTED,
        /** A REST upstream answered with an HTTP status outside 2xx. */
        HTTP_STATUS,
        /** An MCP server answered the JSON-RPC request with an error, or with no result, or did not list its tools. */
        PROTOCOL_ERROR,
        /** An MCP server's tool ran and reported {@code isError: true}. */
        TOOL_ERROR;

        /** The label value, e.g. {@code http_status}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The prefix of every upstream error class. */
    public static final String ERROR_CLASS_PREFIX = "UPSTREAM_";

    private final Kind kind;

    public UpstreamException(Kind kind, String message, boolean retriable, Throwable cause) {
        super(message, retriable, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String errorClass() {
        return ERROR_CLASS_PREFIX + kind.name();
    }

    /** The kind named by an error class {@code UPSTREAM_<KIND>}, or null for any other error class. */
    public static Kind kindOf(String errorClass) {
        if (errorClass == null || !errorClass.startsWith(ERROR_CLASS_PREFIX)) {
            return null;
        }
        try {
            return Kind.valueOf(errorClass.substring(ERROR_CLASS_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

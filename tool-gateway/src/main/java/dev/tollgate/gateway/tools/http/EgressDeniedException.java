package dev.tollgate.gateway.tools.http;

import dev.tollgate.gateway.tools.ToolException;

/** A URL, a redirect target or a DNS answer that the egress allowlist does not permit. */
public final class EgressDeniedException extends ToolException {

    public EgressDeniedException(String message) {
        super(message);
    }
}

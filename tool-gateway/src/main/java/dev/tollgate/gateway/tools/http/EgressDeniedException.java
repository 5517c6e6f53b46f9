package dev.tollgate.gateway.tools.http;

import dev.tollgate.gateway.tools.ToolException;

/**
 * A URL, a redirect target or a DNS answer that the egress allowlist does not permit. The message starts with a
 * stable code ({@link EgressPolicy#EGRESS_DENIED} or {@link EgressPolicy#PATH_NOT_CANONICAL}) and says which rule
 * refused it; the result's error class stays this class's name.
 */
public final class EgressDeniedException extends ToolException {

    private final String code;
    private final String detail;

    public EgressDeniedException(String code, String detail) {
        super(code + ": " + detail);
        this.code = code;
        this.detail = detail;
    }

    /** The stable code of the refusal. */
    public String code() {
        return code;
    }

    /** The message without the code. */
    public String detail() {
        return detail;
    }
}

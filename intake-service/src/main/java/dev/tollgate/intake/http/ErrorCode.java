package dev.tollgate.intake.http;

/** The stable error codes of the intake HTTP API and the status each answers with. */
public enum ErrorCode {
    /** A request Jetty could not parse (request line, URI, headers). */
    INVALID_REQUEST(400),
    INVALID_JSON(400),
    FIELD_REQUIRED(400),
    FIELD_INVALID(400),
    POLICY_INVALID(400),
    UNAUTHENTICATED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    CONFLICT(409),
    /** {@code POST /v1/approvals/{callId}} names a callId held in more than one run of the tenant. */
    AMBIGUOUS_CALL_ID(409),
    /** {@code PUT /v1/policies/{name}} with a version already published with other content. */
    VERSION_EXISTS(409),
    BODY_TOO_LARGE(413),
    /** A request line Jetty refuses as too long (the projector's query API uses the same code). */
    URI_TOO_LONG(414),
    UNSUPPORTED_MEDIA_TYPE(415),
    RATE_LIMITED(429),
    /** Request headers larger than Jetty accepts (the projector's query API uses the same code). */
    HEADERS_TOO_LARGE(431),
    UNAVAILABLE(503),
    /** A defect: never expected, logged with its stack. */
    INTERNAL(500);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}

package dev.tollgate.intake.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request the API refuses, with a stable {@link ErrorCode}. Thrown by handlers and validators, turned into the
 * JSON error body {@code {"error": {"code", "message", ...}}} by the routes' exception handler.
 */
public final class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final String field;
    private final JsonNode details;
    private final Integer retryAfterSeconds;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null, null, null);
    }

    private ApiException(ErrorCode code, String message, String field, JsonNode details, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
        this.details = details;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException fieldRequired(String field) {
        return new ApiException(ErrorCode.FIELD_REQUIRED, "field '" + field + "' is required", field, null, null);
    }

    public static ApiException fieldInvalid(String field, String message) {
        return new ApiException(ErrorCode.FIELD_INVALID, "field '" + field + "' " + message, field, null, null);
    }

    public static ApiException withDetails(ErrorCode code, String message, JsonNode details) {
        return new ApiException(code, message, null, details, null);
    }

    public static ApiException retryLater(ErrorCode code, String message, int retryAfterSeconds) {
        return new ApiException(code, message, null, null, retryAfterSeconds);
    }

    public ErrorCode code() {
        return code;
    }

    /** The offending body field, when the error is about one. */
    public String field() {
        return field;
    }

    /** Extra structured detail (e.g. a policy bundle's line-numbered problems), or null. */
    public JsonNode details() {
        return details;
    }

    /** Seconds for a Retry-After header, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

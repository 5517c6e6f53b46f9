package dev.tollgate.projector.api;

/** An error answer of the query API: HTTP status, stable code and message. */
final class ApiException extends RuntimeException {

    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static ApiException notFound(String what) {
        return new ApiException(404, "NOT_FOUND", what);
    }

    static ApiException unavailable(String why) {
        return new ApiException(503, "UNAVAILABLE", why);
    }

    static ApiException fieldInvalid(String why) {
        return new ApiException(400, "FIELD_INVALID", why);
    }

    static ApiException unauthenticated(String why) {
        return new ApiException(401, "UNAUTHENTICATED", why);
    }

    static ApiException forbidden(String why) {
        return new ApiException(403, "FORBIDDEN", why);
    }
}

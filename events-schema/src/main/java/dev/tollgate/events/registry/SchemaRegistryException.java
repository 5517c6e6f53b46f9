package dev.tollgate.events.registry;

/** A schema registry call failed: the registry's HTTP status and error code say why. */
public class SchemaRegistryException extends RuntimeException {

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        super(message + " (HTTP " + httpStatus + ", error " + errorCode + ")");
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = -1;
        this.errorCode = -1;
    }

    /** HTTP status, or -1 when the registry could not be reached. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent error code (for example 409 incompatible, 40403 schema not found), or -1. */
    public int errorCode() {
        return errorCode;
    }
}

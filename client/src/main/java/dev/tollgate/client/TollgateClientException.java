package dev.tollgate.client;

/** A command could not be produced (Kafka or the schema registry unreachable, a timeout, a refused write). */
public final class TollgateClientException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TollgateClientException(String message, Throwable cause) {
        super(message, cause);
    }
}

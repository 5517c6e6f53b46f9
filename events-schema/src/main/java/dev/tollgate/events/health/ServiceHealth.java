package dev.tollgate.events.health;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of one service process: <em>live</em> until a fatal error, <em>ready</em> when live and its own check
 * passes (for a Streams app: state RUNNING; a rebalance makes it not ready but it stays live). The first fatal error
 * wins ({@link #fatal}); the launcher waits on {@link #fatalError()} and exits non-zero, so a supervisor restarts
 * the process instead of leaving a zombie that answers 503 for ever.
 */
public final class ServiceHealth {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceHealth.class);

    private final String service;
    private final CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    private volatile BooleanSupplier ready = () -> false;
    private volatile Supplier<String> state = () -> "STARTING";
    private volatile boolean closing;

    public ServiceHealth(String service) {
        this.service = service;
    }

    /** Sets the readiness check and the state word shown in the health body. */
    public ServiceHealth readyWhen(BooleanSupplier check, Supplier<String> stateWord) {
        this.ready = check;
        this.state = stateWord;
        return this;
    }

    public String service() {
        return service;
    }

    /** Records a fatal error; only the first one counts (and is logged). Ignored once the service is closing. */
    public void fatal(String what, Throwable cause) {
        if (closing) {
            return;
        }
        Throwable error = cause != null ? cause : new IllegalStateException(what);
        if (fatal.complete(new FatalError(service + ": " + what, error))) {
            LOG.error("{} failed fatally: {}; the process must exit", service, what, cause);
        }
    }

    /** Completes with the first fatal error; never completes for a service that stops normally. */
    public CompletableFuture<Throwable> fatalError() {
        return fatal;
    }

    /** The service is being closed on purpose: what fails from now on is not fatal. */
    public void closing() {
        closing = true;
    }

    /** Live: no fatal error (a rebalancing or restoring service is live). */
    public boolean live() {
        return !fatal.isDone();
    }

    /** Ready: live and serving. */
    public boolean ready() {
        return live() && !closing && ready.getAsBoolean();
    }

    /** The state word of the health body: the check's, or FAILED after a fatal error. */
    public String state() {
        return fatal.isDone() ? "FAILED" : state.get();
    }

    /**
     * A Streams state listener for this health: ERROR or PENDING_ERROR (a thread died and the client shut down) and
     * NOT_RUNNING or PENDING_SHUTDOWN not caused by {@link #closing()} are fatal.
     */
    public KafkaStreams.StateListener streamsListener(KafkaStreams.StateListener next) {
        return (now, before) -> {
            next.onChange(now, before);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
                fatal("the Kafka Streams client went to " + now, null);
            } else if ((now == KafkaStreams.State.PENDING_SHUTDOWN || now == KafkaStreams.State.NOT_RUNNING)
                    && !closing) {
                fatal("the Kafka Streams client shut down (" + now + ")", null);
            }
        };
    }

    /** The error a fatal failure completes {@link #fatalError()} with. */
    public static final class FatalError extends RuntimeException {
        FatalError(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}

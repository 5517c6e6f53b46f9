package dev.tollgate.intake.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one error shape of the intake API, {@code {"error": {"code", "message", ...}}} with a stable
 * {@link ErrorCode}: maps {@link ApiException}, Javalin's own refusals and unexpected failures (logged, answered
 * {@code INTERNAL} without detail) to it, and counts refusals by code ({@code tollgate.intake.http.errors}).
 * Jetty's refusals that never reach the routes get the same shape from {@link JsonErrorHandler}.
 */
public final class ApiErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    private static final String ERROR_WRITTEN = "tollgate.error.written";

    private final BodyReader bodies;
    private final MeterRegistry meters;

    public ApiErrors(BodyReader bodies, MeterRegistry meters) {
        this.bodies = bodies;
        this.meters = meters;
    }

    /** Registers the exception mapping and the JSON bodies of error statuses. */
    public void register(JavalinConfig config) {
        config.routes.exception(ApiException.class, (e, ctx) -> write(ctx, e));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> write(ctx,
                new ApiException(JsonErrorHandler.codeFor(e.getStatus()), e.getStatus() == 404
                        ? "no such route: " + ctx.method() + " " + abbreviate(ctx.path())
                        : abbreviate(e.getMessage()))));
        config.routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected failure on {} {}", ctx.method(), abbreviate(ctx.path()), e);
            write(ctx, new ApiException(ErrorCode.INTERNAL, "unexpected failure"));
        });
        for (int status : new int[] {400, 404, 405, 413, 415, 500, 503}) {
            config.routes.error(status, ctx -> {
                // The web console (/console) answers its own errors as HTML pages.
                if (ctx.attribute(ERROR_WRITTEN) == null && !isHealth(ctx.path())
                        && !ctx.path().startsWith("/console")) {
                    write(ctx, new ApiException(JsonErrorHandler.codeFor(status), status == 404
                            ? "no such route: " + ctx.method() + " " + abbreviate(ctx.path())
                            : "the request was refused (HTTP " + status + ")"));
                }
            });
        }
    }

    /** Writes the error as the answer (after draining what is left of the request body). */
    public void write(Context ctx, ApiException e) {
        ObjectNode error = Answers.JSON.objectNode();
        ObjectNode inner = error.putObject("error").put("code", e.code().name()).put("message", e.getMessage());
        if (e.field() != null) {
            inner.put("field", e.field());
        }
        if (e.details() != null) {
            e.details().fields().forEachRemaining(f -> inner.set(f.getKey(), f.getValue()));
        }
        if (e.retryAfterSeconds() != null) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        ctx.attribute(ERROR_WRITTEN, Boolean.TRUE);
        bodies.drain(ctx);
        Answers.json(ctx, e.code().status(), error);
        Counter.builder("tollgate.intake.http.errors").tag("code", e.code().name())
                .description("Requests refused, by error code").register(meters).increment();
    }

    /** Health routes answer 503 with their own body, which an error page must not replace. */
    private static boolean isHealth(String path) {
        return path.equals("/health") || path.startsWith("/health/");
    }

    /** Printable ASCII, at most 120 characters: safe to echo a client's input in a message or a log line. */
    public static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String clean = text.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 120 ? clean.substring(0, 120) + "..." : clean;
    }
}

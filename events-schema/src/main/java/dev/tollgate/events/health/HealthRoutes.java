package dev.tollgate.events.health;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

/**
 * The health routes every service serves, with one body shape, on Javalin:
 * {@code GET /health/live} (200 until a fatal error), {@code GET /health/ready} (200 only while serving, e.g. Streams
 * RUNNING) and {@code GET /health} (the same as ready, kept for existing probes). Body:
 * {@code {"status":"UP"|"DOWN","service":"...","state":"RUNNING"}}; 503 when DOWN.
 */
public final class HealthRoutes {

    private HealthRoutes() {
    }

    /** Registers the three routes for {@code health}. */
    public static void register(JavalinConfig config, ServiceHealth health) {
        config.routes.get("/health/live", ctx -> answer(ctx, health, health.live()));
        config.routes.get("/health/ready", ctx -> answer(ctx, health, health.ready()));
        config.routes.get("/health", ctx -> answer(ctx, health, health.ready()));
    }

    private static void answer(Context ctx, ServiceHealth health, boolean up) {
        ctx.status(up ? 200 : 503).contentType("application/json").result(body(health, up));
    }

    /** The one health body. */
    public static String body(ServiceHealth health, boolean up) {
        return "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"service\":\"" + health.service() + "\",\"state\":\""
                + health.state() + "\"}";
    }
}

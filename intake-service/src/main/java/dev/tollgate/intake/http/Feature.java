package dev.tollgate.intake.http;

import io.javalin.config.JavalinConfig;

/**
 * One feature of the intake HTTP API (identities, policies, runs, tool calls, approvals, kill switches, and
 * whatever is added later, such as {@code /mcp} or {@code /console}): it registers its own routes on the Javalin
 * config. {@code IntakeRoutes#features} is the one list of features the server mounts; authentication, bodies,
 * answers and the error shape come from {@link Authenticator}, {@link BodyReader}, {@link Answers} and
 * {@link ApiErrors}.
 */
@FunctionalInterface
public interface Feature {

    /** Adds this feature's routes (and only its routes) to the config. */
    void register(JavalinConfig config);
}

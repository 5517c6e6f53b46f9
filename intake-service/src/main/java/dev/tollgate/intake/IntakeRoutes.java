package dev.tollgate.intake;

import dev.tollgate.events.api.OpenApiDocument;
import dev.tollgate.events.health.HealthRoutes;
import dev.tollgate.events.health.ServiceHealth;
import dev.tollgate.events.metrics.ServiceMeters;
import dev.tollgate.events.tracing.Tracing;
import dev.tollgate.intake.admin.KillSwitchAdmin;
import dev.tollgate.intake.admin.KillSwitchRoutes;
import dev.tollgate.intake.admin.PolicyAdmin;
import dev.tollgate.intake.admin.PolicyRoutes;
import dev.tollgate.intake.approval.ApprovalRoutes;
import dev.tollgate.intake.command.CommandProducer;
import dev.tollgate.intake.http.ApiErrors;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.BodyReader;
import dev.tollgate.intake.http.Feature;
import dev.tollgate.intake.http.JsonErrorHandler;
import dev.tollgate.intake.http.RateLimiter;
import dev.tollgate.intake.identity.IdentityAdmin;
import dev.tollgate.intake.identity.IdentityIndex;
import dev.tollgate.intake.identity.IdentityRoutes;
import dev.tollgate.intake.kafka.Publisher;
import dev.tollgate.intake.ledger.HeldCallIndex;
import dev.tollgate.intake.ledger.LedgerWatcher;
import dev.tollgate.intake.ledger.ProjectorLookup;
import dev.tollgate.intake.ledger.RunDirectory;
import dev.tollgate.intake.mcp.McpEndpoint;
import dev.tollgate.intake.mcp.RunSessions;
import dev.tollgate.intake.mcp.ToolCatalog;
import dev.tollgate.intake.run.RunAccess;
import dev.tollgate.intake.run.RunRoutes;
import dev.tollgate.intake.toolcall.ToolCallRoutes;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The HTTP API of the intake-service (DESIGN.md, "HTTP API"), as a function over its dependencies so tests start
 * the very same routes. Mounts {@code /health/live}, {@code /health/ready} (and {@code /health}, as ready),
 * {@code /metrics} and the {@link #features features} (identities,
 * policies, runs, tool calls, approvals, kill switches), each of which registers its own routes; every refusal is
 * the one JSON error shape of {@link ApiErrors}, so no input produces a 500.
 */
public final class IntakeRoutes {

    private static final String STARTED_NANOS = "tollgate.started.nanos";

    /** What the routes need; {@code ready} drives {@code /health}; the MCP views serve {@code /mcp}. */
    public record Deps(IntakeConfig config, IdentityIndex identities, IdentityAdmin identityAdmin,
                       LedgerWatcher ledger, Publisher publisher, KillSwitchAdmin killSwitches,
                       PolicyAdmin policies, RateLimiter rateLimiter, PrometheusMeterRegistry meters,
                       BooleanSupplier ready, Clock clock, ProjectorLookup projector, RunSessions mcpSessions,
                       ToolCatalog mcpTools, Tracing tracing) {

        /** Without MCP views fed from topics ({@code /mcp} then knows no session) and without tracing. */
        public Deps(IntakeConfig config, IdentityIndex identities, IdentityAdmin identityAdmin,
                    LedgerWatcher ledger, Publisher publisher, KillSwitchAdmin killSwitches,
                    PolicyAdmin policies, RateLimiter rateLimiter, PrometheusMeterRegistry meters,
                    BooleanSupplier ready, Clock clock, ProjectorLookup projector) {
            this(config, identities, identityAdmin, ledger, publisher, killSwitches, policies, rateLimiter, meters,
                    ready, clock, projector, new RunSessions(1000), ToolCatalog.empty(), Tracing.off());
        }
    }

    private IntakeRoutes() {
    }

    /** A Javalin server (not started) with the intake routes, on the configured host and port. */
    public static Javalin create(Deps deps) {
        return create(deps, healthOf(deps), config -> { });
    }

    /** As {@link #create(Deps)}, with more routes (the web console's, which need more than {@link Deps}). */
    public static Javalin create(Deps deps, Consumer<JavalinConfig> more) {
        return create(deps, healthOf(deps), more);
    }

    /**
     * As {@link #create(Deps, Consumer)}, with the service's health for {@code /health/live} and
     * {@code /health/ready}.
     */
    public static Javalin create(Deps deps, ServiceHealth health, Consumer<JavalinConfig> more) {
        return Javalin.create(config -> {
            config.jetty.host = deps.config().get(IntakeConfig.HTTP_HOST);
            config.jetty.port = deps.config().getInt(IntakeConfig.HTTP_PORT);
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            // A known path with another method is 405 METHOD_NOT_ALLOWED, not 404 (as on the query API).
            config.http.prefer405over404 = true;
            register(config, deps, health);
            more.accept(config);
        });
    }

    /** Registers the routes, the error mapping and the request metrics on a Javalin config. */
    public static void register(JavalinConfig config, Deps deps) {
        register(config, deps, healthOf(deps));
    }

    private static ServiceHealth healthOf(Deps deps) {
        return new ServiceHealth("intake").readyWhen(deps.ready(),
                () -> deps.ready().getAsBoolean() ? "READY" : "STARTING");
    }

    /** Registers the routes, the health routes, the error mapping and the request metrics on a Javalin config. */
    public static void register(JavalinConfig config, Deps deps, ServiceHealth health) {
        BodyReader bodies = new BodyReader(deps.config().getLong(IntakeConfig.MAX_BODY_BYTES));
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.maxRequestSize = bodies.maxBytes();
        config.http.defaultContentType = "application/json";
        config.router.ignoreTrailingSlashes = true;

        config.routes.before(ctx -> ctx.attribute(STARTED_NANOS, System.nanoTime()));
        HealthRoutes.register(config, health);
        config.routes.get("/metrics", ctx -> ctx.contentType(ServiceMeters.CONTENT_TYPE)
                .result(deps.meters().scrape()));
        config.routes.get("/openapi.json", ctx -> ctx.contentType("application/json")
                .result(OpenApiDocument.json()));
        for (Feature feature : features(deps, bodies)) {
            feature.register(config);
        }
        new ApiErrors(bodies, deps.meters()).register(config);
        config.routes.after(ctx -> record(ctx, deps.meters()));
    }

    /**
     * The features of the API, in one list: a new one (such as {@code /mcp} or {@code /console}) is one more
     * {@link Feature} here, built from the same {@link Authenticator} and {@link BodyReader}.
     */
    static List<Feature> features(Deps deps, BodyReader bodies) {
        Authenticator auth = new Authenticator(deps.identities(), deps.rateLimiter());
        CommandProducer commands = new CommandProducer(deps.publisher(), deps.clock(), deps.meters(),
                deps.tracing());
        RunAccess runs = new RunAccess(new RunDirectory(deps.ledger(), deps.projector()));
        long maxWaitMs = deps.config().getLong(IntakeConfig.MAX_WAIT_MS);
        return List.of(
                new IdentityRoutes(auth, bodies, deps.identities(), deps.identityAdmin()),
                new PolicyRoutes(auth, bodies, deps.policies()),
                new RunRoutes(auth, bodies, runs, commands),
                new ToolCallRoutes(auth, bodies, runs, commands, deps.ledger(), maxWaitMs),
                new ApprovalRoutes(auth, bodies, commands, new HeldCallIndex(deps.ledger(), deps.projector())),
                new KillSwitchRoutes(auth, bodies, deps.killSwitches()),
                config -> McpEndpoint.register(config, new McpEndpoint.Deps(deps.config(),
                        new McpEndpoint.Door(auth::authenticate, commands::produce), deps.ledger(),
                        deps.mcpSessions(), deps.mcpTools())));
    }

    private static void record(Context ctx, PrometheusMeterRegistry meters) {
        Long started = ctx.attribute(STARTED_NANOS);
        if (started == null) {
            return;
        }
        String route;
        try {
            // The matched endpoint's template: ctx.endpoint() in an after-handler is the after-handler's "*".
            Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
            route = matched == null ? "unmatched" : matched.path;
        } catch (RuntimeException e) {
            route = "unmatched";
        }
        ServiceMeters.httpRequest(meters, ctx.method().name(), route, ctx.statusCode(), System.nanoTime() - started);
    }
}

package dev.tollgate.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.Command;
import dev.tollgate.events.CompleteStage;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.Reason;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.ReportUsage;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunBudget;
import dev.tollgate.events.SubmitArtifact;
import dev.tollgate.events.Topics;
import dev.tollgate.intake.admin.KillSwitchAdmin;
import dev.tollgate.intake.admin.PolicyAdmin;
import dev.tollgate.intake.command.Ids;
import dev.tollgate.intake.command.Traceparent;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.ErrorCode;
import dev.tollgate.intake.http.JsonBody;
import dev.tollgate.intake.http.JsonErrorHandler;
import dev.tollgate.intake.http.RateLimiter;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.intake.identity.IdentityAdmin;
import dev.tollgate.intake.identity.IdentityIndex;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.kafka.Publisher;
import dev.tollgate.intake.ledger.CallOutcome;
import dev.tollgate.intake.ledger.HeldCall;
import dev.tollgate.intake.ledger.LedgerWatcher;
import dev.tollgate.intake.ledger.RunOwner;
import dev.tollgate.intake.mcp.McpEndpoint;
import dev.tollgate.intake.mcp.RunSessions;
import dev.tollgate.intake.mcp.ToolCatalog;
import dev.tollgate.policy.engine.PolicyProblem;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of the intake-service (DESIGN.md, "HTTP API"), as a function over its dependencies so tests start
 * the very same routes. Every request is authenticated by its bearer API key; the tenant of everything it does
 * comes from the principal. Each accepted agent or approver request becomes one {@link Command} on
 * {@code tollgate.commands.v1} (keyed by runId), produced idempotently with {@code acks=all} before the answer, so a
 * 202 means the command is durable. Admin requests write identities, policy bundles and kill switches. Every
 * refusal is the JSON error shape with a stable {@link ErrorCode}; no input produces a 500.
 */
public final class IntakeRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeRoutes.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final String ERROR_WRITTEN = "tollgate.error.written";
    private static final String STARTED_NANOS = "tollgate.started.nanos";
    private static final String PRINCIPAL = "tollgate.principal";
    private static final long DRAIN_MIN_BYTES = 8L << 20;

    /** What the routes need; {@code ready} drives {@code /health}; the MCP views serve {@code /mcp}. */
    public record Deps(IntakeConfig config, IdentityIndex identities, IdentityAdmin identityAdmin,
                       LedgerWatcher ledger, Publisher publisher, KillSwitchAdmin killSwitches,
                       PolicyAdmin policies, RateLimiter rateLimiter, PrometheusMeterRegistry meters,
                       BooleanSupplier ready, Clock clock, RunSessions mcpSessions, ToolCatalog mcpTools) {

        /** Without MCP views fed from topics: {@code /mcp} then knows no session. */
        public Deps(IntakeConfig config, IdentityIndex identities, IdentityAdmin identityAdmin,
                    LedgerWatcher ledger, Publisher publisher, KillSwitchAdmin killSwitches,
                    PolicyAdmin policies, RateLimiter rateLimiter, PrometheusMeterRegistry meters,
                    BooleanSupplier ready, Clock clock) {
            this(config, identities, identityAdmin, ledger, publisher, killSwitches, policies, rateLimiter, meters,
                    ready, clock, new RunSessions(1000), ToolCatalog.empty());
        }
    }

    private final Deps deps;
    private final long maxBodyBytes;
    private final long maxWaitMs;

    private IntakeRoutes(Deps deps) {
        this.deps = deps;
        this.maxBodyBytes = deps.config().getLong(IntakeConfig.MAX_BODY_BYTES);
        this.maxWaitMs = deps.config().getLong(IntakeConfig.MAX_WAIT_MS);
    }

    /** A Javalin server (not started) with the intake routes, on the configured host and port. */
    public static Javalin create(Deps deps) {
        return Javalin.create(config -> {
            config.jetty.host = deps.config().get(IntakeConfig.HTTP_HOST);
            config.jetty.port = deps.config().getInt(IntakeConfig.HTTP_PORT);
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            register(config, deps);
        });
    }

    /** Registers the routes, the error mapping and the request metrics on a Javalin config. */
    public static void register(JavalinConfig config, Deps deps) {
        IntakeRoutes routes = new IntakeRoutes(deps);
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.maxRequestSize = routes.maxBodyBytes;
        config.http.defaultContentType = "application/json";
        config.router.ignoreTrailingSlashes = true;

        config.routes.before(ctx -> ctx.attribute(STARTED_NANOS, System.nanoTime()));
        config.routes.get("/health", routes::health);
        config.routes.get("/metrics", routes::metrics);
        config.routes.post("/v1/identities", routes::createIdentity);
        config.routes.delete("/v1/identities/{principalId}", routes::disableIdentity);
        config.routes.put("/v1/policies/{name}", routes::publishPolicy);
        config.routes.post("/v1/runs", routes::requestRun);
        config.routes.post("/v1/runs/{runId}/tool-calls", routes::requestToolCall);
        config.routes.post("/v1/runs/{runId}/usage", routes::reportUsage);
        config.routes.post("/v1/runs/{runId}/artifacts", routes::submitArtifact);
        config.routes.post("/v1/runs/{runId}/stages/{stage}/complete", routes::completeStage);
        config.routes.post("/v1/runs/{runId}/finish", routes::finishRun);
        config.routes.post("/v1/approvals/{callId}", routes::decideApproval);
        config.routes.put("/v1/kill-switches/{scope}/{target}", routes::engageKillSwitch);
        config.routes.delete("/v1/kill-switches/{scope}/{target}", routes::liftKillSwitch);
        McpEndpoint.register(config, new McpEndpoint.Deps(deps.config(), new McpEndpoint.Door() {
            @Override
            public Principal authenticate(Context ctx) {
                return routes.authenticate(ctx);
            }

            @Override
            public void produce(Context ctx, Principal principal, String runId, String commandId, Object payload) {
                routes.produce(ctx, principal, runId, commandId, payload);
            }
        }, deps.ledger(), deps.mcpSessions(), deps.mcpTools()));

        config.routes.exception(ApiException.class, (e, ctx) -> routes.writeError(ctx, e));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> routes.writeError(ctx,
                new ApiException(JsonErrorHandler.codeFor(e.getStatus()), e.getStatus() == 404
                        ? "no such route: " + ctx.method() + " " + abbreviate(ctx.path())
                        : abbreviate(e.getMessage()))));
        config.routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected failure on {} {}", ctx.method(), abbreviate(ctx.path()), e);
            routes.writeError(ctx, new ApiException(ErrorCode.INTERNAL, "unexpected failure"));
        });
        for (int status : new int[] {400, 404, 405, 413, 415, 500, 503}) {
            config.routes.error(status, ctx -> {
                if (ctx.attribute(ERROR_WRITTEN) == null && !ctx.path().equals("/health")
                        && !ctx.path().startsWith(McpEndpoint.PATH)) {
                    routes.writeError(ctx, new ApiException(JsonErrorHandler.codeFor(status), status == 404
                            ? "no such route: " + ctx.method() + " " + abbreviate(ctx.path())
                            : "the request was refused (HTTP " + status + ")"));
                }
            });
        }
        config.routes.after(routes::record);
    }

    // ---- health and metrics -------------------------------------------------------------------------------

    private void health(Context ctx) {
        boolean ready = deps.ready().getAsBoolean();
        ctx.status(ready ? 200 : 503).contentType("application/json")
                .result(JSON.objectNode().put("status", ready ? "UP" : "STARTING").toString());
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(deps.meters().scrape());
    }

    // ---- identities (admin) -------------------------------------------------------------------------------

    private void createIdentity(Context ctx) {
        admin(ctx);
        JsonBody body = JsonBody.parse(readBody(ctx));
        String name = body.requiredString("name", 128);
        PrincipalKind kind = switch (body.requiredString("kind", 16).toLowerCase(Locale.ROOT)) {
            case "agent" -> PrincipalKind.AGENT;
            case "human" -> PrincipalKind.HUMAN;
            case "service" -> PrincipalKind.SERVICE;
            default -> throw ApiException.fieldInvalid("kind", "must be agent, human or service");
        };
        String tenant = body.requiredIdent("tenant");
        List<String> roles = body.identList("roles", 32);
        IdentityAdmin.Created created = deps.identityAdmin().create(name, kind, tenant, roles);
        deps.identities().apply(created.identity(), created.offset());
        LOG.info("identity {} created in tenant {} by {}", created.principalId(), tenant, principal(ctx).principalId());
        ObjectNode answer = JSON.objectNode()
                .put("principalId", created.principalId())
                .put("apiKey", created.apiKey())
                .put("name", name)
                .put("kind", kind.name().toLowerCase(Locale.ROOT))
                .put("tenant", tenant);
        roles.forEach(answer.putArray("roles")::add);
        json(ctx, 201, answer);
    }

    private void disableIdentity(Context ctx) {
        admin(ctx);
        String principalId = ctx.pathParam("principalId");
        Identity current = deps.identities().byPrincipalId(principalId)
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no such identity"));
        if (current.getEnabled()) {
            IdentityAdmin.Written written = deps.identityAdmin().disable(current);
            deps.identities().apply(written.identity(), written.offset());
            LOG.info("identity {} disabled by {}", principalId, principal(ctx).principalId());
        }
        json(ctx, 200, JSON.objectNode().put("principalId", principalId).put("enabled", false));
    }

    // ---- policies (admin) ---------------------------------------------------------------------------------

    private void publishPolicy(Context ctx) {
        Principal admin = admin(ctx);
        String name = ctx.pathParam("name");
        if (!JsonBody.IDENT.matcher(name).matches()) {
            throw ApiException.fieldInvalid("name", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        String yaml = readBody(ctx);
        if (yaml.isBlank()) {
            throw new ApiException(ErrorCode.FIELD_REQUIRED, "the request body must be the YAML policy bundle");
        }
        PolicyAdmin.Validated validated;
        try {
            validated = PolicyAdmin.validate(yaml, name);
        } catch (PolicyAdmin.Refused refused) {
            ArrayNode problems = JSON.arrayNode();
            for (PolicyProblem problem : refused.problems()) {
                ObjectNode p = problems.addObject().put("line", problem.line());
                if (problem.ruleId() == null) {
                    p.putNull("ruleId");
                } else {
                    p.put("ruleId", problem.ruleId());
                }
                p.put("message", problem.message());
            }
            ObjectNode details = JSON.objectNode();
            details.set("problems", problems);
            throw ApiException.withDetails(ErrorCode.POLICY_INVALID, refused.getMessage(), details);
        }
        PolicyBundle bundle = deps.policies().publish(validated, yaml, admin.principalId());
        LOG.info("policy bundle {} version {} published by {}", bundle.getName(), bundle.getVersion(),
                admin.principalId());
        json(ctx, 201, JSON.objectNode().put("name", bundle.getName()).put("version", bundle.getVersion())
                .put("sha256", bundle.getSha256()));
    }

    // ---- runs (agents) ------------------------------------------------------------------------------------

    private void requestRun(Context ctx) {
        Principal agent = agent(ctx);
        String idempotencyKey = ctx.header("Idempotency-Key");
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw ApiException.fieldInvalid("Idempotency-Key", "must be 1-255 printable ASCII characters");
        }
        JsonBody body = JsonBody.parse(readBody(ctx));
        RequestRun.Builder payload = RequestRun.newBuilder()
                .setWorkflow(body.requiredIdent("workflow"))
                .setEnvironment(body.requiredIdent("environment"))
                .setClassification(body.requiredIdent("classification"))
                .setInputJson(JsonBody.toText(body.root().has("input") && !body.root().get("input").isNull()
                        ? body.root().get("input") : JSON.objectNode()))
                .setBudget(body.optionalObject("budget").map(IntakeRoutes::budget).orElse(null));
        String runId;
        String commandId;
        if (idempotencyKey != null) {
            runId = Ids.derived("run", agent.tenantId(), agent.principalId(), idempotencyKey);
            commandId = Ids.derived("request-run", agent.tenantId(), agent.principalId(), idempotencyKey);
        } else {
            runId = Ids.random();
            commandId = Ids.random();
        }
        produce(ctx, agent, runId, commandId, payload.build());
        json(ctx, 202, JSON.objectNode().put("runId", runId).put("commandId", commandId));
    }

    private static RunBudget budget(ObjectNode node) {
        RunBudget.Builder budget = RunBudget.newBuilder();
        JsonNode max = node.get("maxToolCalls");
        if (max != null && !max.isNull()) {
            if (!max.isIntegralNumber() || !max.canConvertToInt() || max.intValue() < 0) {
                throw ApiException.fieldInvalid("budget.maxToolCalls", "must be a non-negative integer");
            }
            budget.setMaxToolCalls(max.intValue());
        }
        budget.setCostMicros(nonNegative(node, "costMicros"));
        budget.setTokens(nonNegative(node, "tokens"));
        return budget.build();
    }

    private static Long nonNegative(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw ApiException.fieldInvalid("budget." + field, "must be a non-negative integer");
        }
        return value.longValue();
    }

    private void requestToolCall(Context ctx) {
        Principal agent = agent(ctx);
        String runId = ownRun(ctx, agent);
        long waitMs = waitMs(ctx);
        JsonBody body = JsonBody.parse(readBody(ctx));
        String tool = body.requiredIdent("tool");
        JsonNode args = body.requiredValue("args");
        if (!args.isObject()) {
            throw ApiException.fieldInvalid("args", "must be a JSON object");
        }
        Optional<String> givenCallId = body.optionalString("callId", 128);
        if (givenCallId.isPresent() && !JsonBody.IDENT.matcher(givenCallId.get()).matches()) {
            throw ApiException.fieldInvalid("callId", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        // A given callId makes the command id derived, so a retried call is dropped by the processor's dedup.
        String callId = givenCallId.orElseGet(Ids::random);
        String commandId = givenCallId.map(c -> Ids.derived("tool-call", agent.tenantId(), agent.principalId(),
                runId, c)).orElseGet(Ids::random);
        RequestToolCall payload = RequestToolCall.newBuilder()
                .setCallId(callId).setTool(tool).setArgsJson(JsonBody.toText(args)).build();
        // The waiter is registered before the command is produced, so no outcome can slip in between.
        Optional<CompletableFuture<CallOutcome>> waiter = waitMs > 0
                ? deps.ledger().await(runId, callId, agent.principalId()) : Optional.empty();
        try {
            produce(ctx, agent, runId, commandId, payload);
        } catch (RuntimeException e) {
            waiter.ifPresent(deps.ledger()::release);
            throw e;
        }
        if (waiter.isEmpty()) {
            json(ctx, 202, JSON.objectNode().put("runId", runId).put("callId", callId));
            return;
        }
        CompletableFuture<CallOutcome> future = waiter.get();
        ctx.future(() -> future.completeOnTimeout(null, waitMs, TimeUnit.MILLISECONDS).handle((outcome, error) -> {
            if (outcome != null) {
                json(ctx, 200, outcomeJson(outcome));
            } else {
                CallOutcome known = deps.ledger().outcome(runId, callId).orElse(null);
                ObjectNode answer = JSON.objectNode().put("runId", runId).put("callId", callId);
                if (known == null || known.decision() == null) {
                    answer.putNull("decision");
                } else {
                    answer.put("decision", known.decision());
                }
                json(ctx, 202, answer);
            }
            return null;
        }));
    }

    private long waitMs(Context ctx) {
        String text = ctx.queryParam("waitMs");
        if (text == null || text.isEmpty()) {
            return 0;
        }
        long waitMs;
        try {
            waitMs = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.fieldInvalid("waitMs", "must be a non-negative integer (milliseconds)");
        }
        if (waitMs < 0) {
            throw ApiException.fieldInvalid("waitMs", "must be a non-negative integer (milliseconds)");
        }
        return Math.min(waitMs, maxWaitMs);
    }

    private ObjectNode outcomeJson(CallOutcome outcome) {
        ObjectNode answer = JSON.objectNode().put("runId", outcome.runId()).put("callId", outcome.callId())
                .put("decision", outcome.decision());
        ArrayNode reasons = answer.putArray("reasons");
        for (Reason reason : outcome.reasons()) {
            ObjectNode r = reasons.addObject().put("code", reason.getCode().name());
            if (reason.getRuleId() == null) {
                r.putNull("ruleId");
            } else {
                r.put("ruleId", reason.getRuleId());
            }
            r.put("message", reason.getMessage());
            reason.getSuggest().forEach(r.putArray("suggest")::add);
        }
        if (outcome.status() == null) {
            answer.putNull("status");
        } else {
            answer.put("status", outcome.status().name());
        }
        if (outcome.resultJson() != null) {
            try {
                answer.set("result", JsonBody.MAPPER.readTree(outcome.resultJson()));
            } catch (IOException | RuntimeException e) {
                answer.put("result", outcome.resultJson());
            }
        }
        if (outcome.receipt() != null) {
            answer.set("receipt", receiptJson(outcome.receipt()));
        }
        return answer;
    }

    private static ObjectNode receiptJson(Receipt receipt) {
        return JSON.objectNode()
                .put("keyId", receipt.getKeyId())
                .put("algorithm", receipt.getAlgorithm())
                .put("runId", receipt.getRunId())
                .put("callId", receipt.getCallId())
                .put("tool", receipt.getTool())
                .put("argsSha256", receipt.getArgsSha256())
                .put("resultSha256", receipt.getResultSha256())
                .put("status", receipt.getStatus().name())
                .put("startedAt", receipt.getStartedAt().toString())
                .put("finishedAt", receipt.getFinishedAt().toString())
                .put("signature", receipt.getSignature());
    }

    private void reportUsage(Context ctx) {
        Principal agent = agent(ctx);
        String runId = ownRun(ctx, agent);
        JsonBody body = JsonBody.parse(readBody(ctx));
        ReportUsage payload = ReportUsage.newBuilder()
                .setModel(body.requiredIdent("model"))
                .setInputTokens(body.requiredNonNegativeLong("inputTokens"))
                .setOutputTokens(body.requiredNonNegativeLong("outputTokens"))
                .build();
        accepted(ctx, agent, runId, payload);
    }

    private void submitArtifact(Context ctx) {
        Principal agent = agent(ctx);
        String runId = ownRun(ctx, agent);
        JsonBody body = JsonBody.parse(readBody(ctx));
        String type = body.requiredIdent("type");
        JsonNode content = body.requiredValue("content");
        String classification = body.requiredIdent("classification");
        Optional<String> stage = body.optionalString("stage", 128);
        if (stage.isPresent() && !JsonBody.IDENT.matcher(stage.get()).matches()) {
            throw ApiException.fieldInvalid("stage", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        SubmitArtifact payload = SubmitArtifact.newBuilder()
                .setType(type)
                .setContent(content.isTextual() ? content.textValue() : JsonBody.toText(content))
                .setClassification(classification)
                .setStage(stage.orElse(null))
                .build();
        accepted(ctx, agent, runId, payload);
    }

    private void completeStage(Context ctx) {
        Principal agent = agent(ctx);
        String runId = ownRun(ctx, agent);
        String stage = ctx.pathParam("stage");
        if (!JsonBody.IDENT.matcher(stage).matches()) {
            throw ApiException.fieldInvalid("stage", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        readBody(ctx);
        accepted(ctx, agent, runId, CompleteStage.newBuilder().setStage(stage).build());
    }

    private void finishRun(Context ctx) {
        Principal agent = agent(ctx);
        String runId = ownRun(ctx, agent);
        JsonBody body = JsonBody.parse(readBody(ctx));
        FinishRun payload = FinishRun.newBuilder()
                .setOutcome(body.requiredIdent("outcome"))
                .setSummary(body.optionalString("summary", 10_000).orElse(null))
                .build();
        accepted(ctx, agent, runId, payload);
    }

    // ---- approvals (humans) -------------------------------------------------------------------------------

    private void decideApproval(Context ctx) {
        Principal human = authenticate(ctx);
        if (!human.isHuman()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "approvals are decided by human principals");
        }
        String callId = ctx.pathParam("callId");
        if (!JsonBody.IDENT.matcher(callId).matches()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no call held for approval with that id");
        }
        JsonBody body = JsonBody.parse(readBody(ctx));
        ApprovalDecision decision = switch (body.requiredString("decision", 16).toLowerCase(Locale.ROOT)) {
            case "approve" -> ApprovalDecision.APPROVE;
            case "deny" -> ApprovalDecision.DENY;
            default -> throw ApiException.fieldInvalid("decision", "must be approve or deny");
        };
        String reason = body.optionalString("reason", 2000).orElse("");
        HeldCall held = deps.ledger().heldCall(human.tenantId(), callId)
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no call held for approval with that id"));
        if (!held.pending()) {
            throw new ApiException(ErrorCode.CONFLICT, "the call is no longer pending approval");
        }
        if (!held.approverRoles().isEmpty() && held.approverRoles().stream().noneMatch(human.roles()::contains)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "an approver role is required: " + held.approverRoles());
        }
        if (held.runPrincipalId().equals(human.principalId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "a principal cannot approve its own call");
        }
        String commandId = Ids.derived("decide-approval", human.tenantId(), human.principalId(), callId,
                decision.name());
        DecideApproval payload = DecideApproval.newBuilder()
                .setCallId(callId).setDecision(decision).setReason(reason).build();
        produce(ctx, human, held.runId(), commandId, payload);
        json(ctx, 202, JSON.objectNode().put("callId", callId).put("runId", held.runId())
                .put("decision", decision.name().toLowerCase(Locale.ROOT)).put("commandId", commandId));
    }

    // ---- kill switches (admin) ----------------------------------------------------------------------------

    private void engageKillSwitch(Context ctx) {
        killSwitch(ctx, true);
    }

    private void liftKillSwitch(Context ctx) {
        killSwitch(ctx, false);
    }

    private void killSwitch(Context ctx, boolean engage) {
        Principal admin = admin(ctx);
        KillSwitchScope scope = KillSwitchAdmin.scope(ctx.pathParam("scope"))
                .orElseThrow(() -> ApiException.fieldInvalid("scope", "must be global, tenant, agent or run"));
        String target = ctx.pathParam("target");
        if (scope != KillSwitchScope.GLOBAL && !JsonBody.IDENT.matcher(target).matches()) {
            throw ApiException.fieldInvalid("target", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        String text = readBody(ctx);
        String reason;
        if (engage) {
            reason = JsonBody.parse(text).requiredString("reason", 2000);
        } else {
            reason = text.isBlank() ? "" : JsonBody.parse(text).optionalString("reason", 2000).orElse("");
        }
        KillSwitch written = deps.killSwitches().write(scope, target, engage, reason, admin.principalId());
        LOG.info("kill switch {} {} by {}", KillSwitchAdmin.key(scope, written.getTarget()),
                engage ? "engaged" : "lifted", admin.principalId());
        json(ctx, 200, JSON.objectNode()
                .put("key", KillSwitchAdmin.key(scope, written.getTarget()))
                .put("scope", scope.name().toLowerCase(Locale.ROOT))
                .put("target", written.getTarget())
                .put("engaged", written.getEngaged())
                .put("reason", written.getReason()));
    }

    // ---- authentication and authorization -----------------------------------------------------------------

    private Principal authenticate(Context ctx) {
        Principal cached = ctx.attribute(PRINCIPAL);
        if (cached != null) {
            return cached;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw unauthenticated(ctx, "an API key is required: Authorization: Bearer <api key>");
        }
        if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthenticated(ctx, "the Authorization scheme must be Bearer");
        }
        String key = header.substring(7).trim();
        if (!ApiKeys.wellFormed(key)) {
            throw unauthenticated(ctx, "the API key is not valid");
        }
        Identity identity = deps.identities().byApiKey(key)
                .orElseThrow(() -> unauthenticated(ctx, "the API key is not valid"));
        if (!identity.getEnabled()) {
            throw unauthenticated(ctx, "the identity is disabled");
        }
        Principal principal = Principal.of(identity);
        if (!deps.rateLimiter().tryAcquire(principal.principalId())) {
            throw ApiException.retryLater(ErrorCode.RATE_LIMITED, "too many requests",
                    deps.rateLimiter().retryAfterSeconds());
        }
        ctx.attribute(PRINCIPAL, principal);
        return principal;
    }

    private static ApiException unauthenticated(Context ctx, String message) {
        ctx.header("WWW-Authenticate", "Bearer realm=\"tollgate\"");
        return new ApiException(ErrorCode.UNAUTHENTICATED, message);
    }

    private Principal principal(Context ctx) {
        return authenticate(ctx);
    }

    private Principal admin(Context ctx) {
        Principal principal = authenticate(ctx);
        if (!principal.isAdmin()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this route needs the admin role");
        }
        return principal;
    }

    private Principal agent(Context ctx) {
        Principal principal = authenticate(ctx);
        if (!principal.isAgent()) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this route is for agent and service principals");
        }
        return principal;
    }

    /**
     * The run of the path, if the caller may act in it. Another tenant's run is a 404 and another principal's a
     * 403 when intake has seen the run; a run not (yet) seen is accepted and left to the policy-processor, which
     * rejects commands of a principal that does not own the run (PRINCIPAL_MISMATCH).
     */
    private String ownRun(Context ctx, Principal agent) {
        String runId = ctx.pathParam("runId");
        if (!Ids.isUuid(runId)) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such run");
        }
        runId = runId.toLowerCase(Locale.ROOT);
        Optional<RunOwner> owner = deps.ledger().runOwner(runId);
        if (owner.isPresent() && !owner.get().tenantId().equals(agent.tenantId())) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no such run");
        }
        if (owner.isPresent() && !owner.get().principalId().equals(agent.principalId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "the run belongs to another principal");
        }
        return runId;
    }

    // ---- commands -----------------------------------------------------------------------------------------

    private void accepted(Context ctx, Principal agent, String runId, Object payload) {
        String commandId = Ids.random();
        produce(ctx, agent, runId, commandId, payload);
        json(ctx, 202, JSON.objectNode().put("runId", runId).put("commandId", commandId));
    }

    private void produce(Context ctx, Principal principal, String runId, String commandId, Object payload) {
        String traceparent = Traceparent.fromHeaderOrStart(ctx.header("traceparent"));
        Command command = Command.newBuilder()
                .setCommandId(commandId)
                .setRunId(runId)
                .setTenantId(principal.tenantId())
                .setPrincipalId(principal.principalId())
                .setIssuedAt(deps.clock().instant())
                .setTraceparent(traceparent)
                .setPayload(payload)
                .build();
        deps.publisher().publish(Topics.COMMANDS, runId, command);
        ctx.header("traceparent", traceparent);
        Counter.builder("tollgate.intake.commands").tag("type", payload.getClass().getSimpleName())
                .description("Commands produced").register(deps.meters()).increment();
        LOG.debug("command {} {} produced for run {}", payload.getClass().getSimpleName(), commandId, runId);
    }

    // ---- bodies, answers, errors --------------------------------------------------------------------------

    /** The body as strict UTF-8, refused with 413 above the configured limit (checked before and while reading). */
    private String readBody(Context ctx) {
        String declared = ctx.header("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBodyBytes) {
                    throw tooLarge();
                }
            } catch (NumberFormatException e) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, "Content-Length is not a number");
            }
        }
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
                if (total > maxBodyBytes) {
                    throw tooLarge();
                }
                out.write(buffer, 0, n);
            }
            bytes = out.toByteArray();
        } catch (IOException e) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "the request body could not be read");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "the request body is not UTF-8");
        }
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorCode.BODY_TOO_LARGE, "the request body is larger than " + maxBodyBytes
                + " bytes");
    }

    /**
     * Reads and drops what is left of a refused request's body (bounded), so the client, still sending, reads the
     * error instead of a connection reset; beyond the bound the connection is closed.
     */
    private void drain(Context ctx) {
        long left = Math.max(DRAIN_MIN_BYTES, 2 * maxBodyBytes);
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[16384];
            for (int n = in.read(buffer); n >= 0 && left > 0; n = in.read(buffer)) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not drain a refused request: {}", e.toString());
        }
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    private void writeError(Context ctx, ApiException e) {
        ObjectNode error = JSON.objectNode();
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
        drain(ctx);
        json(ctx, e.code().status(), error);
        Counter.builder("tollgate.intake.http.errors").tag("code", e.code().name())
                .description("Requests refused, by error code").register(deps.meters()).increment();
    }

    private void record(Context ctx) {
        Long started = ctx.attribute(STARTED_NANOS);
        if (started == null) {
            return;
        }
        String route;
        try {
            route = ctx.endpoint() == null ? "unmatched" : ctx.endpoint().path;
        } catch (RuntimeException e) {
            route = "unmatched";
        }
        Timer.builder("tollgate.intake.http.requests")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .description("HTTP requests served")
                .register(deps.meters())
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String clean = text.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 120 ? clean.substring(0, 120) + "..." : clean;
    }
}

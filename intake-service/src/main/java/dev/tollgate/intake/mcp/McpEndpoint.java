package dev.tollgate.intake.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.Reason;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.intake.IntakeConfig;
import dev.tollgate.intake.command.Ids;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.BodyReader;
import dev.tollgate.intake.http.ErrorCode;
import dev.tollgate.intake.http.JsonBody;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.ledger.CallOutcome;
import dev.tollgate.intake.ledger.LedgerWatcher;
import dev.tollgate.ledger.model.HeldCallView;
import dev.tollgate.ledger.model.ToolCallView;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP Streamable HTTP endpoint {@code /mcp} (spec revision 2025-11-25, negotiating down to 2025-06-18 and
 * 2025-03-26) on intake's port. One MCP session is one Tollgate run: {@code initialize} on
 * {@code /mcp?workflow=W&environment=E&classification=C} produces a {@code RequestRun} on
 * {@code tollgate.commands.v1} and answers once the ledger admits or rejects the run; the {@code Mcp-Session-Id} is
 * the runId. {@code tools/list} lists the run's granted tools with the bundle's schemas; {@code tools/call} produces a
 * {@code RequestToolCall} and answers with its outcome from {@code tollgate.ledger.v1} and
 * {@code tollgate.tool-results.v1} (through intake's {@link LedgerWatcher}, as {@code ?waitMs} does); {@code DELETE}
 * produces {@code FinishRun}. Authentication and command production are intake's own ({@link Door}).
 *
 * <p>Every answer is a JSON-RPC message or an empty 202; no input yields an HTTP 5xx, and every wait is bounded.
 */
public final class McpEndpoint {

    /** The path of the endpoint. */
    public static final String PATH = "/mcp";
    static final String LATEST = "2025-11-25";
    static final List<String> SUPPORTED = List.of("2025-11-25", "2025-06-18", "2025-03-26");
    /** The revision a request without MCP-Protocol-Version is taken to speak (the spec's rule). */
    static final String DEFAULT_REVISION = "2025-03-26";
    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String VERSION_HEADER = "MCP-Protocol-Version";

    private static final Logger LOG = LoggerFactory.getLogger(McpEndpoint.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> LOG_LEVELS = Set.of("debug", "info", "notice", "warning", "error", "critical",
            "alert", "emergency");
    private static final int MAX_BATCH = 64;
    private static final int MAX_STREAMS = 64;
    private static final int MAX_UNFINISHED = 10_000;
    private static final long POLL_MS = 200;
    private static final long PROGRESS_EVERY_MS = 2000;

    /** Authenticates a request's caller (throws intake's {@link ApiException}: 401, 429). */
    @FunctionalInterface
    public interface Authenticate {
        Principal authenticate(Context ctx);
    }

    /** Produces one command for a principal, blocking until Kafka acknowledged it (throws 503 otherwise). */
    @FunctionalInterface
    public interface Produce {
        void produce(Context ctx, Principal principal, String runId, String commandId, Object payload);
    }

    /** What the endpoint needs from intake: the HTTP API's own authentication and command production. */
    public record Door(Authenticate authenticator, Produce commands) {

        Principal authenticate(Context ctx) {
            return authenticator.authenticate(ctx);
        }

        void produce(Context ctx, Principal principal, String runId, String commandId, Object payload) {
            commands.produce(ctx, principal, runId, commandId, payload);
        }
    }

    /** The endpoint's dependencies. */
    public record Deps(IntakeConfig config, Door door, LedgerWatcher ledger, RunSessions sessions,
                       ToolCatalog tools) {
    }

    /** A reply to one POST: its HTTP status, body (null for none) and extra headers. */
    private record Reply(int status, JsonNode body, Map<String, String> headers) {

        static Reply json(JsonNode body) {
            return new Reply(200, body, Map.of());
        }

        static Reply accepted() {
            return new Reply(202, null, Map.of());
        }
    }

    /** Progress notifications of one request, when it carries a progressToken. */
    @FunctionalInterface
    private interface Progress {
        void send(int progress, long total, String message);
    }

    private final Deps deps;
    private final OriginPolicy origins;
    private final BodyReader bodies;
    private final Duration decisionWait;
    private final Duration holdWait;
    private final Duration admissionWait;
    private final ScheduledExecutorService scheduler;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final Map<String, CompletableFuture<CallOutcome>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, String> unfinished = new ConcurrentHashMap<>();

    private McpEndpoint(Deps deps) {
        this.deps = deps;
        this.origins = OriginPolicy.parse(deps.config().get(IntakeConfig.MCP_ALLOWED_ORIGINS));
        this.bodies = new BodyReader(deps.config().getLong(IntakeConfig.MAX_BODY_BYTES));
        this.decisionWait = Duration.ofMillis(deps.config().getLong(IntakeConfig.MAX_WAIT_MS));
        this.holdWait = deps.config().getDuration(IntakeConfig.MCP_HOLD_WAIT);
        this.admissionWait = deps.config().getDuration(IntakeConfig.MCP_ADMISSION_WAIT);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tollgate-mcp-waits");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Registers {@code POST}, {@code GET} and {@code DELETE /mcp}. */
    public static void register(JavalinConfig config, Deps deps) {
        McpEndpoint endpoint = new McpEndpoint(deps);
        config.routes.post(PATH, endpoint::post);
        config.routes.get(PATH, endpoint::get);
        config.routes.delete(PATH, endpoint::delete);
        config.events.serverStopping(endpoint.scheduler::shutdownNow);
    }

    // ---- HTTP methods -------------------------------------------------------------------------------------

    private void post(Context ctx) {
        CompletableFuture<Reply> reply;
        try {
            Principal agent = admit(ctx);
            JsonNode root = parse(readBody(ctx));
            String revision = revision(ctx);
            if (root.isArray()) {
                reply = batch(ctx, agent, (ArrayNode) root, revision);
            } else if (streamable(ctx, root)) {
                streamToolCall(ctx, agent, root, revision);
                return;
            } else {
                reply = single(ctx, agent, root, revision, null);
            }
        } catch (RuntimeException e) {
            write(ctx, failure(ctx, e, null));
            return;
        }
        if (reply.isDone()) {
            write(ctx, reply.handle((r, e) -> e == null ? r : failure(ctx, e, null)).join());
        } else {
            ctx.future(() -> reply.handle((r, e) -> {
                write(ctx, e == null ? r : failure(ctx, e, null));
                return null;
            }));
        }
    }

    private void get(Context ctx) {
        try {
            admit(ctx);
            ctx.header("Allow", "POST, DELETE");
            throw McpError.invalidRequest(405, "this server offers no GET stream; POST JSON-RPC messages to /mcp",
                    null);
        } catch (RuntimeException e) {
            write(ctx, failure(ctx, e, null));
        }
    }

    private void delete(Context ctx) {
        try {
            Principal agent = admit(ctx);
            bodies.drain(ctx);
            RunSessions.Session session = session(ctx, agent, null);
            FinishRun finish = FinishRun.newBuilder().setOutcome("SUCCEEDED")
                    .setSummary("the MCP client ended its session").build();
            deps.door().produce(ctx, agent, session.runId(), Ids.random(), finish);
            deps.sessions().close(session.runId());
            LOG.info("mcp session of run {} ended by {}", session.runId(), agent.principalId());
            write(ctx, new Reply(204, null, Map.of()));
        } catch (RuntimeException e) {
            write(ctx, failure(ctx, e, null));
        }
    }

    /** Origin, then the bearer key of an agent principal (a human or admin key is 403). */
    private Principal admit(Context ctx) {
        String origin = ctx.header("Origin");
        if (!origins.allows(origin)) {
            throw new McpError(403, JsonRpc.REFUSED, "ORIGIN_NOT_ALLOWED", "ORIGIN_NOT_ALLOWED: the Origin "
                    + abbreviate(origin) + " is not allowed to use this endpoint", null, null);
        }
        Principal principal = deps.door().authenticate(ctx);
        if (!principal.isAgent() || principal.isAdmin()) {
            throw new McpError(403, JsonRpc.REFUSED, "FORBIDDEN",
                    "FORBIDDEN: the MCP endpoint is for agent principals", null, null);
        }
        return principal;
    }

    // ---- messages -----------------------------------------------------------------------------------------

    private CompletableFuture<Reply> single(Context ctx, Principal agent, JsonNode message, String revision,
                                            Progress progress) {
        Kind kind = classify(message);
        JsonNode id = message.get("id");
        String method = kind == Kind.RESPONSE ? null : message.get("method").textValue();
        if (kind == Kind.REQUEST && method.equals("initialize")) {
            return initialize(ctx, agent, id, message.get("params"));
        }
        RunSessions.Session session = session(ctx, agent, id);
        if (kind == Kind.RESPONSE) {
            return CompletableFuture.completedFuture(Reply.accepted());
        }
        if (kind == Kind.NOTIFICATION) {
            notification(session, method, message.get("params"));
            return CompletableFuture.completedFuture(Reply.accepted());
        }
        return request(ctx, agent, session, id, method, message.get("params"), progress)
                .thenApply(body -> Reply.json(JsonRpc.result(id, body)));
    }

    private CompletableFuture<Reply> batch(Context ctx, Principal agent, ArrayNode messages, String revision) {
        if (!revision.equals(DEFAULT_REVISION)) {
            throw McpError.invalidRequest(400, "JSON-RPC batches are not supported in MCP revision " + revision,
                    null);
        }
        if (messages.isEmpty() || messages.size() > MAX_BATCH) {
            throw McpError.invalidRequest(400, "a batch holds 1 to " + MAX_BATCH + " messages", null);
        }
        List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
        for (JsonNode message : messages) {
            JsonNode id = message.isObject() ? message.get("id") : null;
            CompletableFuture<Reply> one;
            try {
                if (message.isObject() && message.path("method").asText("").equals("initialize")) {
                    throw McpError.invalidRequest(400, "initialize must not be part of a batch", validId(id));
                }
                one = single(ctx, agent, message, revision, null);
            } catch (RuntimeException e) {
                one = CompletableFuture.failedFuture(e);
            }
            answers.add(one.handle((reply, error) -> {
                if (error == null) {
                    return reply.body();
                }
                Throwable cause = unwrap(error);
                if (cause instanceof McpError mcp && mcp.httpStatus() == 404) {
                    throw mcp;
                }
                return failure(ctx, cause, validId(id)).body();
            }));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
            ArrayNode responses = JSON.arrayNode();
            answers.forEach(answer -> {
                JsonNode body = answer.join();
                if (body != null) {
                    responses.add(body);
                }
            });
            return responses.isEmpty() ? Reply.accepted() : Reply.json(responses);
        });
    }

    private enum Kind { REQUEST, NOTIFICATION, RESPONSE }

    private static Kind classify(JsonNode message) {
        if (!message.isObject()) {
            throw McpError.invalidRequest(400, "a JSON-RPC message must be an object", null);
        }
        JsonNode id = message.get("id");
        if (!"2.0".equals(message.path("jsonrpc").textValue())) {
            throw McpError.invalidRequest(400, "jsonrpc must be \"2.0\"", validId(id));
        }
        JsonNode method = message.get("method");
        if (method == null) {
            if (validId(id) != null && (message.has("result") ^ message.has("error"))) {
                return Kind.RESPONSE;
            }
            throw McpError.invalidRequest(400, "not a JSON-RPC request, notification or response", validId(id));
        }
        if (!method.isTextual() || method.textValue().isEmpty()) {
            throw McpError.invalidRequest(400, "method must be a non-empty string", validId(id));
        }
        JsonNode params = message.get("params");
        if (params != null && !params.isObject()) {
            throw McpError.invalidRequest(400, "params must be an object", validId(id));
        }
        if (id == null) {
            return Kind.NOTIFICATION;
        }
        if (validId(id) == null) {
            throw McpError.invalidRequest(400, "id must be a string or an integer", null);
        }
        return Kind.REQUEST;
    }

    private static JsonNode validId(JsonNode id) {
        if (id == null) {
            return null;
        }
        if (id.isTextual() && id.textValue().length() <= 256) {
            return id;
        }
        return id.isIntegralNumber() && id.canConvertToLong() ? id : null;
    }

    private void notification(RunSessions.Session session, String method, JsonNode params) {
        if (method.equals("notifications/cancelled") && params != null) {
            JsonNode requestId = validId(params.get("requestId"));
            if (requestId != null) {
                CompletableFuture<CallOutcome> waiting = inFlight.get(inFlightKey(session.runId(), requestId));
                if (waiting != null) {
                    waiting.cancel(false);
                }
            }
        }
        // notifications/initialized, notifications/roots/list_changed and others need no answer.
    }

    private CompletableFuture<JsonNode> request(Context ctx, Principal agent, RunSessions.Session session,
                                                JsonNode id, String method, JsonNode params, Progress progress) {
        return switch (method) {
            case "ping" -> CompletableFuture.completedFuture(JSON.objectNode());
            case "tools/list" -> CompletableFuture.completedFuture(listTools(session));
            case "tools/call" -> callTool(ctx, agent, session, id, params, progress);
            case "logging/setLevel" -> {
                String level = params == null ? null : params.path("level").textValue();
                if (level == null || !LOG_LEVELS.contains(level)) {
                    throw McpError.invalidParams("params.level must be one of " + LOG_LEVELS, id);
                }
                yield CompletableFuture.completedFuture(JSON.objectNode());
            }
            default -> throw new McpError(200, JsonRpc.METHOD_NOT_FOUND, null, "method not found: "
                    + abbreviate(method), id, null);
        };
    }

    // ---- initialize ---------------------------------------------------------------------------------------

    private CompletableFuture<Reply> initialize(Context ctx, Principal agent, JsonNode id, JsonNode params) {
        if (params == null) {
            throw McpError.invalidParams("initialize needs params (protocolVersion, capabilities, clientInfo)", id);
        }
        String asked = params.path("protocolVersion").textValue();
        if (asked == null) {
            throw McpError.invalidParams("params.protocolVersion is required", id);
        }
        String revision = SUPPORTED.contains(asked) ? asked : LATEST;
        Map<String, String> query = new LinkedHashMap<>();
        for (String name : List.of("workflow", "environment", "classification")) {
            String value = ctx.queryParam(name);
            if (value == null || value.isBlank()) {
                throw new McpError(400, JsonRpc.INVALID_PARAMS, "FIELD_REQUIRED", "the query parameter '" + name
                        + "' is required: the endpoint URL is /mcp?workflow=W&environment=E&classification=C", id,
                        null);
            }
            if (!JsonBody.IDENT.matcher(value).matches()) {
                throw new McpError(400, JsonRpc.INVALID_PARAMS, "FIELD_INVALID", "the query parameter '" + name
                        + "' must be 1-128 of A-Z a-z 0-9 . _ : @ / -", id, null);
            }
            query.put(name, value);
        }
        ObjectNode input = JSON.objectNode();
        ObjectNode mcp = input.putObject("mcp").put("protocolVersion", revision);
        JsonNode clientInfo = params.get("clientInfo");
        ObjectNode client = mcp.putObject("clientInfo");
        client.put("name", clientInfo == null ? "" : text(clientInfo.get("name")));
        client.put("version", clientInfo == null ? "" : text(clientInfo.get("version")));

        String runId = Ids.random();
        RequestRun payload = RequestRun.newBuilder()
                .setWorkflow(query.get("workflow"))
                .setEnvironment(query.get("environment"))
                .setClassification(query.get("classification"))
                .setInputJson(JsonBody.toText(input))
                .setBudget(null)
                .build();
        CompletableFuture<RunSessions.Admission> admission = deps.sessions().awaitAdmission(runId);
        try {
            deps.door().produce(ctx, agent, runId, Ids.random(), payload);
        } catch (RuntimeException e) {
            admission.cancel(false);
            throw e;
        }
        long waitMs = admissionWait.toMillis();
        return admission.completeOnTimeout(null, waitMs, TimeUnit.MILLISECONDS).thenApply(decided -> {
            if (decided == null) {
                throw new McpError(200, JsonRpc.REFUSED, "UNAVAILABLE", "UNAVAILABLE: the run " + runId
                        + " was not decided within " + waitMs + " ms; try again", id, runData(runId));
            }
            if (!decided.admitted()) {
                ObjectNode data = runData(runId);
                ArrayNode reasons = data.putArray("reasons");
                decided.reasons().forEach(r -> reasons.add(ToolResults.reasonJson(ToolCallView.ReasonView.of(r))));
                Reason first = decided.reasons().isEmpty() ? null : decided.reasons().get(0);
                String code = first == null ? "RUN_REJECTED" : first.getCode().name();
                String rule = first == null || first.getRuleId() == null ? "" : " " + first.getRuleId();
                String message = first == null ? "the run was rejected" : first.getMessage();
                LOG.info("mcp initialize: run {} rejected ({})", runId, code);
                throw new McpError(200, JsonRpc.REFUSED, code, code + rule + ": " + message + " (run " + runId
                        + " rejected)", id, data);
            }
            LOG.info("mcp session of run {} opened by {} (revision {})", runId, agent.principalId(), revision);
            ObjectNode result = JSON.objectNode().put("protocolVersion", revision);
            ObjectNode capabilities = result.putObject("capabilities");
            capabilities.putObject("tools").put("listChanged", false);
            capabilities.putObject("logging");
            result.putObject("serverInfo").put("name", "tollgate").put("title", "Tollgate").put("version", "1");
            result.put("instructions", "Every tool call is decided by Tollgate's policy and recorded in its ledger"
                    + " (run " + runId + "). A denied call answers isError with its code and rule; a call held for"
                    + " approval answers PENDING_APPROVAL and can be repeated with the same arguments.");
            return new Reply(200, JsonRpc.result(id, result), Map.of(SESSION_HEADER, runId));
        });
    }

    private static ObjectNode runData(String runId) {
        return JSON.objectNode().put("runId", runId);
    }

    // ---- tools --------------------------------------------------------------------------------------------

    private JsonNode listTools(RunSessions.Session session) {
        ObjectNode result = JSON.objectNode();
        ArrayNode tools = result.putArray("tools");
        for (String name : session.grantedTools()) {
            Optional<ToolCatalog.Tool> tool = deps.tools().tool(session.policySha256(), name);
            ObjectNode entry = tools.addObject().put("name", name);
            tool.filter(t -> !t.description().isEmpty()).ifPresent(t -> entry.put("description", t.description()));
            entry.set("inputSchema", tool.map(t -> (JsonNode) t.inputSchema())
                    .orElseGet(() -> JSON.objectNode().put("type", "object")));
        }
        return result;
    }

    private CompletableFuture<JsonNode> callTool(Context ctx, Principal agent, RunSessions.Session session,
                                                 JsonNode id, JsonNode params, Progress progress) {
        if (params == null || !params.path("name").isTextual()) {
            throw McpError.invalidParams("params.name (the tool's name) is required", id);
        }
        String tool = params.get("name").textValue();
        if (!JsonBody.IDENT.matcher(tool).matches()) {
            throw McpError.invalidParams("unknown tool: " + abbreviate(tool), id);
        }
        JsonNode args = params.get("arguments");
        if (args == null || args.isNull()) {
            args = JSON.objectNode();
        }
        if (!args.isObject()) {
            throw McpError.invalidParams("params.arguments must be an object", id);
        }
        String argsJson = JsonBody.toText(args);
        String runId = session.runId();
        String sameCall = runId + '\n' + tool + '\n' + Sha256.hex(argsJson);
        String pickedUp = unfinished.remove(sameCall);
        String callId;
        CompletableFuture<CallOutcome> first;
        if (pickedUp != null) {
            callId = pickedUp;
            first = deps.ledger().await(runId, callId, agent.principalId()).orElseThrow(McpEndpoint::busy);
            LOG.debug("mcp tools/call picks up call {} of run {}", callId, runId);
        } else {
            callId = Ids.random();
            RequestToolCall payload = RequestToolCall.newBuilder()
                    .setCallId(callId).setTool(tool).setArgsJson(argsJson).build();
            // As for ?waitMs: the waiter is registered before the command is produced, so no outcome slips by.
            first = deps.ledger().await(runId, callId, agent.principalId()).orElseThrow(McpEndpoint::busy);
            try {
                deps.door().produce(ctx, agent, runId, Ids.random(), payload);
            } catch (RuntimeException e) {
                deps.ledger().release(first);
                throw e;
            }
        }
        CompletableFuture<CallOutcome> result = new CompletableFuture<>();
        String key = inFlightKey(runId, id);
        inFlight.put(key, result);
        result.whenComplete((o, e) -> {
            inFlight.remove(key, result);
            deps.ledger().release(first);
        });
        first.completeOnTimeout(null, decisionWait.toMillis(), TimeUnit.MILLISECONDS).whenComplete((outcome, e) -> {
            if (e != null || outcome == null) {
                result.complete(null);
            } else if (CallOutcome.PENDING_APPROVAL.equals(outcome.decision()) && outcome.status() == null) {
                awaitApproval(result, agent, runId, callId, id, progress);
            } else {
                result.complete(outcome);
            }
        });
        return result.handle((outcome, error) -> {
            if (error != null) {
                if (unwrap(error) instanceof CancellationException) {
                    throw new McpError(200, JsonRpc.REQUEST_CANCELLED, null, "cancelled: the call " + callId
                            + " was already decided; its outcome is in the ledger", id, null);
                }
                throw error instanceof RuntimeException r ? r : new IllegalStateException(error);
            }
            if (outcome != null && (outcome.status() != null || CallOutcome.DENIED.equals(outcome.decision()))) {
                return ToolResults.of(outcome);
            }
            String decision = deps.ledger().outcome(runId, callId).map(CallOutcome::decision).orElse(null);
            if (unfinished.size() >= MAX_UNFINISHED) {
                unfinished.clear();
            }
            unfinished.put(sameCall, callId);
            return ToolResults.notYet(callId, decision);
        });
    }

    /** Polls the call held for approval until it is decided and finished, the hold wait ends, or it is cancelled. */
    private void awaitApproval(CompletableFuture<CallOutcome> result, Principal agent, String runId, String callId,
                               JsonNode id, Progress progress) {
        long start = System.nanoTime();
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        String roles = deps.ledger().heldCall(runId, callId).map(HeldCallView::approverRoles)
                .filter(r -> !r.isEmpty()).map(r -> " by " + String.join(" or ", r)).orElse("");
        Runnable poll = () -> {
            try {
                if (result.isDone()) {
                    task.get().cancel(false);
                    return;
                }
                Optional<CallOutcome> known = deps.ledger().outcome(runId, callId);
                if (known.isPresent() && (known.get().status() != null
                        || CallOutcome.DENIED.equals(known.get().decision()))) {
                    Optional<CompletableFuture<CallOutcome>> view = deps.ledger().await(runId, callId,
                            agent.principalId());
                    result.complete(view.map(f -> f.getNow(known.get())).orElse(known.get()));
                    view.ifPresent(deps.ledger()::release);
                    return;
                }
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                if (elapsedMs >= holdWait.toMillis()) {
                    result.complete(null);
                    return;
                }
                if (progress != null && elapsedMs >= (long) sent.get() * PROGRESS_EVERY_MS) {
                    progress.send(sent.incrementAndGet(), holdWait.toMillis() / PROGRESS_EVERY_MS + 1,
                            "PENDING_APPROVAL: the call " + callId + " is held for approval" + roles
                                    + "; waiting up to " + holdWait.toSeconds() + " s");
                }
            } catch (RuntimeException e) {
                LOG.warn("mcp: waiting for the approval of call {} of run {} failed: {}", callId, runId,
                        e.toString());
                result.complete(null);
            }
        };
        task.set(scheduler.scheduleWithFixedDelay(poll, 0, POLL_MS, TimeUnit.MILLISECONDS));
        result.whenComplete((o, e) -> task.get().cancel(false));
    }

    private static McpError busy() {
        return new McpError(200, JsonRpc.REFUSED, "UNAVAILABLE",
                "UNAVAILABLE: too many tool calls are waiting right now; try again", null, null);
    }

    // ---- streaming (progress notifications over SSE) ------------------------------------------------------

    private static boolean streamable(Context ctx, JsonNode root) {
        String accept = ctx.header("Accept");
        return root.isObject() && "tools/call".equals(root.path("method").textValue())
                && validId(root.get("id")) != null && accept != null && accept.contains("text/event-stream")
                && progressToken(root.path("params")) != null;
    }

    private static JsonNode progressToken(JsonNode params) {
        JsonNode token = params.path("_meta").get("progressToken");
        return token != null && (token.isTextual() || token.isIntegralNumber()) ? token : null;
    }

    /**
     * A tools/call with a progressToken: answered as JSON when its outcome comes before any progress, else as a
     * server-sent event stream of progress notifications ending with the response. The request thread waits (the
     * wait is bounded by the hold wait; at most {@value #MAX_STREAMS} such waits at once, beyond which the call is
     * answered without progress).
     */
    private void streamToolCall(Context ctx, Principal agent, JsonNode request, String revision) {
        JsonNode id = request.get("id");
        if (!streams.tryAcquire()) {
            write(ctx, single(ctx, agent, request, revision, null).handle((r, e) -> e == null ? r
                    : failure(ctx, e, validId(id))).join());
            return;
        }
        JsonNode token = progressToken(request.path("params"));
        Sse sse = new Sse(ctx);
        Progress progress = (n, total, message) -> {
            ObjectNode params = JSON.objectNode();
            params.set("progressToken", token);
            params.put("progress", n).put("total", total).put("message", message);
            sse.send(JsonRpc.notification("notifications/progress", params));
        };
        try {
            Reply reply;
            try {
                reply = single(ctx, agent, request, revision, progress)
                        .get(decisionWait.plus(holdWait).toMillis() + 5000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                reply = failure(ctx, e.getCause(), validId(id));
            } catch (TimeoutException e) {
                reply = failure(ctx, new McpError(200, JsonRpc.REFUSED, "UNAVAILABLE",
                        "UNAVAILABLE: no answer in time", id, null), validId(id));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply = failure(ctx, new McpError(200, JsonRpc.REFUSED, "UNAVAILABLE",
                        "UNAVAILABLE: interrupted", id, null), validId(id));
            }
            if (!sse.finish(reply.body())) {
                write(ctx, reply);
            }
        } catch (RuntimeException e) {
            if (!sse.finish(failure(ctx, e, validId(id)).body())) {
                write(ctx, failure(ctx, e, validId(id)));
            }
        } finally {
            streams.release();
        }
    }

    /** A server-sent event stream opened on the first event; later events and the final message follow. */
    private static final class Sse {
        private final Context ctx;
        private OutputStream out;
        private boolean broken;

        Sse(Context ctx) {
            this.ctx = ctx;
        }

        synchronized void send(ObjectNode message) {
            if (broken) {
                return;
            }
            try {
                if (out == null) {
                    ctx.res().setStatus(200);
                    ctx.res().setContentType("text/event-stream");
                    ctx.res().setHeader("Cache-Control", "no-cache");
                    out = ctx.res().getOutputStream();
                }
                out.write(("event: message\ndata: " + message + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException | RuntimeException e) {
                broken = true;
            }
        }

        /** Sends the final message if the stream is open; false when nothing was streamed (answer as JSON). */
        synchronized boolean finish(JsonNode message) {
            if (out == null) {
                return false;
            }
            if (message instanceof ObjectNode object) {
                send(object);
            }
            broken = true;
            return true;
        }
    }

    // ---- sessions, versions, bodies, answers --------------------------------------------------------------

    private RunSessions.Session session(Context ctx, Principal agent, JsonNode id) {
        String header = ctx.header(SESSION_HEADER);
        if (header == null || header.isBlank()) {
            throw McpError.invalidRequest(400, "the Mcp-Session-Id header is required; send initialize first",
                    validId(id));
        }
        McpError notFound = new McpError(404, JsonRpc.SESSION_NOT_FOUND, "SESSION_NOT_FOUND",
                "SESSION_NOT_FOUND: no such session; send initialize to start a new one", validId(id), null);
        if (!Ids.isUuid(header.trim())) {
            throw notFound;
        }
        String runId = header.trim().toLowerCase(Locale.ROOT);
        return deps.sessions().session(runId)
                .filter(s -> s.tenantId().equals(agent.tenantId()) && s.principalId().equals(agent.principalId()))
                .orElseThrow(() -> notFound);
    }

    private static String revision(Context ctx) {
        String header = ctx.header(VERSION_HEADER);
        if (header == null) {
            return DEFAULT_REVISION;
        }
        if (!SUPPORTED.contains(header.trim())) {
            throw McpError.invalidRequest(400, "unsupported MCP-Protocol-Version " + abbreviate(header)
                    + "; supported: " + String.join(", ", SUPPORTED), null);
        }
        return header.trim();
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode root = JsonBody.MAPPER.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new McpError(400, JsonRpc.PARSE_ERROR, null, "parse error: the body is empty", null, null);
            }
            return root;
        } catch (IOException | RuntimeException e) {
            if (e instanceof McpError mcp) {
                throw mcp;
            }
            throw new McpError(400, JsonRpc.PARSE_ERROR, null, "parse error: the body is not JSON", null, null);
        }
    }

    /**
     * The body as strict UTF-8 through intake's {@link BodyReader} (413 above the size cap, checked before and while
     * reading), its refusals put in JSON-RPC terms.
     */
    private String readBody(Context ctx) {
        try {
            return bodies.text(ctx);
        } catch (ApiException e) {
            throw switch (e.code()) {
                case BODY_TOO_LARGE -> new McpError(413, JsonRpc.INVALID_REQUEST, "BODY_TOO_LARGE",
                        "BODY_TOO_LARGE: " + e.getMessage(), null, null);
                case INVALID_JSON -> new McpError(400, JsonRpc.PARSE_ERROR, null, "parse error: " + e.getMessage(),
                        null, null);
                default -> McpError.invalidRequest(400, e.getMessage(), null);
            };
        }
    }

    private Reply failure(Context ctx, Throwable error, JsonNode id) {
        Throwable cause = unwrap(error);
        McpError mcp;
        if (cause instanceof McpError e) {
            mcp = id == null ? e : e.withId(id);
        } else if (cause instanceof ApiException api) {
            int status = api.code().status() >= 500 ? 200 : api.code().status();
            if (api.retryAfterSeconds() != null) {
                ctx.header("Retry-After", Integer.toString(api.retryAfterSeconds()));
            }
            if (api.code() == ErrorCode.UNAUTHENTICATED && ctx.res().getHeader("WWW-Authenticate") == null) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"tollgate\"");
            }
            mcp = new McpError(status, JsonRpc.REFUSED, api.code().name(), api.code().name() + ": "
                    + api.getMessage(), id, null);
        } else {
            LOG.error("unexpected failure on the MCP endpoint", cause);
            mcp = new McpError(200, JsonRpc.INTERNAL_ERROR, "INTERNAL", "internal error", id, null);
        }
        if (mcp.httpStatus() == 413 || mcp.httpStatus() == 401 || mcp.httpStatus() == 403) {
            bodies.drain(ctx);
        }
        return new Reply(mcp.httpStatus(), mcp.toResponse(), Map.of());
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static void write(Context ctx, Reply reply) {
        reply.headers().forEach(ctx::header);
        ctx.status(reply.status());
        if (reply.body() == null) {
            ctx.result("");
        } else {
            ctx.contentType("application/json").result(reply.body().toString());
        }
    }

    private static String inFlightKey(String runId, JsonNode requestId) {
        return runId + '\n' + (requestId == null ? "" : requestId.toString());
    }

    private static String text(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return "";
        }
        String value = node.textValue().replaceAll("[\\p{Cntrl}]", "?");
        return value.length() > 200 ? value.substring(0, 200) : value;
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String clean = text.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 120 ? clean.substring(0, 120) + "..." : clean;
    }
}

package dev.tollgate.projector.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Identity;
import dev.tollgate.events.api.OpenApiDocument;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.metrics.ServiceMeters;
import dev.tollgate.ledger.model.HeldCallView;
import dev.tollgate.ledger.model.Json;
import dev.tollgate.ledger.model.PendingApproval;
import dev.tollgate.ledger.model.RunView;
import dev.tollgate.ledger.model.TimelineEntry;
import dev.tollgate.ledger.model.ToolCallView;
import dev.tollgate.projector.ProjectorTopology;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.router.Endpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projector's HTTP query API (DESIGN.md, ledger-projector routes) on Javalin.
 *
 * <p>Every {@code /v1} route authenticates {@code Authorization: Bearer <api key>} against the identities global
 * store and shows only the caller's tenant (any tenant to a principal with the role {@code admin}); another tenant's
 * run or call is a 404. A key owned by another instance is answered by that instance: the request is forwarded over
 * HTTP with the {@value #FORWARDED} header, and a forwarded request is always answered locally (or 503), never
 * forwarded again. List routes gather the local part of every instance the same way. While Streams is not RUNNING,
 * or a key has no owner, the answer is 503 with {@code Retry-After}. Errors are
 * {@code {"error": {"code", "message"}}}; no request produces a 500.
 */
public final class QueryApi {

    /** Marks a request forwarded by another instance; its value is the sender's host:port. */
    public static final String FORWARDED = "X-Tollgate-Forwarded";
    /** Names the instance that answered (host:port). */
    public static final String INSTANCE = "X-Tollgate-Instance";

    private static final Logger LOG = LoggerFactory.getLogger(QueryApi.class);
    private static final String ERROR_WRITTEN = "tollgate.error.written";
    private static final String STARTED_NANOS = "tollgate.started.nanos";
    private static final Set<String> STATUSES = Set.of("ADMITTED", "REJECTED", "HALTED", "COMPLETED");
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@/-]{1,128}");

    private final ProjectionStores stores;
    private final RunVerifier verifier;
    private final Duration forwardTimeout;
    private final HttpClient http;
    private final PrometheusMeterRegistry meters;

    /**
     * @param stores         the projection's stores and instance metadata
     * @param verifier       verifies a run from the raw ledger
     * @param forwardTimeout bound of a request to another instance
     */
    public QueryApi(ProjectionStores stores, RunVerifier verifier, Duration forwardTimeout) {
        this(stores, verifier, forwardTimeout, null);
    }

    /**
     * As above, serving {@code GET /metrics} from {@code meters} and timing every request in
     * {@code tollgate_http_server_requests_seconds{method, route, status}} (null: neither).
     */
    public QueryApi(ProjectionStores stores, RunVerifier verifier, Duration forwardTimeout,
                    PrometheusMeterRegistry meters) {
        this.stores = stores;
        this.verifier = verifier;
        this.forwardTimeout = forwardTimeout;
        this.meters = meters;
        this.http = HttpClient.newBuilder().connectTimeout(forwardTimeout).build();
    }

    /** Creates and starts the server on {@code host:port} (port 0: a free one, see {@link Javalin#port()}). */
    public Javalin start(String host, int port) {
        return start(host, port, cfg -> cfg.routes.get("/health", this::health));
    }

    /**
     * As {@link #start(String, int)}, letting {@code before} see the config first: the service's health routes, or a
     * test that listens to the routes it adds.
     */
    public Javalin start(String host, int port, Consumer<JavalinConfig> before) {
        return Javalin.create(cfg -> {
            before.accept(cfg);
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            // Requests Jetty refuses before routing (an illegal URI, headers too large) still get the JSON shape.
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            cfg.http.prefer405over404 = true;
            cfg.routes.get("/openapi.json", ctx -> ctx.contentType("application/json")
                    .result(OpenApiDocument.json()));
            if (meters != null) {
                cfg.routes.before(ctx -> ctx.attribute(STARTED_NANOS, System.nanoTime()));
                cfg.routes.get("/metrics", ctx -> ctx.contentType(ServiceMeters.CONTENT_TYPE).result(meters.scrape()));
                cfg.routes.after(this::recordRequest);
            }
            cfg.routes.get("/v1/runs", guarded(this::listRuns));
            cfg.routes.get("/v1/runs/{runId}", guarded(this::getRun));
            cfg.routes.get("/v1/runs/{runId}/events", guarded(this::getEvents));
            cfg.routes.get("/v1/runs/{runId}/verify", guarded(this::verifyRun));
            cfg.routes.get("/v1/tool-calls/{callId}", guarded(this::getToolCall));
            cfg.routes.get("/v1/held-calls/{callId}", guarded(this::getHeldCalls));
            cfg.routes.get("/v1/approvals", guarded(this::listApprovals));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, new ApiException(e.getStatus(),
                    JsonErrorHandler.codeFor(e.getStatus()), abbreviate(e.getMessage()))));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.warn("Unexpected error on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, ApiException.unavailable("the projector could not answer: " + e.getClass().getSimpleName()));
            });
            cfg.routes.error(400, ctx -> fallbackError(ctx, 400, "BAD_REQUEST", "the request was refused"));
            cfg.routes.error(404, ctx -> fallbackError(ctx, 404, "NOT_FOUND", "no such route: "
                    + abbreviate(ctx.path())));
            cfg.routes.error(405, ctx -> fallbackError(ctx, 405, "METHOD_NOT_ALLOWED", "method not allowed"));
            cfg.routes.error(500, ctx -> fallbackError(ctx, 503, "UNAVAILABLE", "the projector could not answer"));
        }).start();
    }

    /** A route body, given the authenticated caller. */
    @FunctionalInterface
    private interface Route {
        void handle(Context ctx, Principal principal) throws Exception;
    }

    private Handler guarded(Route route) {
        return ctx -> {
            try {
                if (!stores.ready()) {
                    throw ApiException.unavailable("the projection is starting, rebalancing or restoring");
                }
                route.handle(ctx, authenticate(ctx));
            } catch (ApiException e) {
                error(ctx, e);
            } catch (InvalidStateStoreException e) {
                error(ctx, ApiException.unavailable("state is migrating between instances: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error(ctx, ApiException.unavailable("interrupted"));
            } catch (Exception e) {
                LOG.warn("Unexpected error on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, ApiException.unavailable("the projector could not answer: " + e.getClass().getSimpleName()));
            }
        };
    }

    private void recordRequest(Context ctx) {
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

    private void health(Context ctx) {
        boolean ready = stores.ready();
        if (!ready) {
            ctx.header("Retry-After", "1");
        }
        json(ctx, ready ? 200 : 503, Json.MAPPER.createObjectNode().put("status", ready ? "UP" : "DOWN"));
    }

    // ---- routes -------------------------------------------------------------------------------------------------

    private void getRun(Context ctx, Principal principal) throws Exception {
        String runId = id(ctx, "runId");
        if (routed(ctx, ProjectorTopology.RUN_VIEW_STORE, runId)) {
            json(ctx, 200, visibleRun(principal, runId));
        }
    }

    private void getEvents(Context ctx, Principal principal) throws Exception {
        String runId = id(ctx, "runId");
        if (routed(ctx, ProjectorTopology.RUN_VIEW_STORE, runId)) {
            visibleRun(principal, runId);
            ReadOnlyKeyValueStore<String, TimelineEntry> timeline = stores.local(ProjectorTopology.RUN_TIMELINE_STORE);
            List<TimelineEntry> entries = new ArrayList<>();
            String prefix = ProjectorTopology.timelinePrefix(runId);
            try (KeyValueIterator<String, TimelineEntry> it = timeline.range(prefix, prefix + "~")) {
                it.forEachRemaining(kv -> entries.add(kv.value));
            }
            entries.sort(Comparator.comparingLong(TimelineEntry::seq));
            json(ctx, 200, entries);
        }
    }

    private void verifyRun(Context ctx, Principal principal) throws Exception {
        String runId = id(ctx, "runId");
        if (routed(ctx, ProjectorTopology.RUN_VIEW_STORE, runId)) {
            visibleRun(principal, runId);
            json(ctx, 200, verifier.verify(runId));
        }
    }

    private void getToolCall(Context ctx, Principal principal) throws Exception {
        String callId = id(ctx, "callId");
        String runId = runIdFilter(ctx);
        if (routed(ctx, ProjectorTopology.TOOL_CALL_STORE, callId)) {
            List<ToolCallView> calls = stores.<List<ToolCallView>>local(ProjectorTopology.TOOL_CALL_STORE).get(callId);
            ToolCallView found = (calls == null ? List.<ToolCallView>of() : calls).stream()
                    .filter(c -> principal.sees(c.tenantId()))
                    .filter(c -> runId == null || runId.equals(c.runId()))
                    .min(Comparator.comparing(ToolCallView::runId))
                    .orElseThrow(() -> ApiException.notFound("tool call " + callId + " not found"));
            json(ctx, 200, found);
        }
    }

    /**
     * Every call held for approval with this callId that the caller may see (its tenant's; an admin's: all),
     * pending or decided, optionally only that of {@code ?runId=}: {@code {"heldCalls": [...]}}. This is the index
     * intake's approval routes resolve a callId with, so it returns every candidate, never a guess.
     */
    private void getHeldCalls(Context ctx, Principal principal) throws Exception {
        String callId = id(ctx, "callId");
        String runId = runIdFilter(ctx);
        if (routed(ctx, ProjectorTopology.HELD_CALL_STORE, callId)) {
            List<HeldCallView> held = stores.<List<HeldCallView>>local(ProjectorTopology.HELD_CALL_STORE).get(callId);
            ObjectNode body = Json.MAPPER.createObjectNode();
            ArrayNode out = body.putArray("heldCalls");
            (held == null ? List.<HeldCallView>of() : held).stream()
                    .filter(h -> principal.sees(h.tenantId()))
                    .filter(h -> runId == null || runId.equals(h.runId()))
                    .sorted(Comparator.comparing(HeldCallView::runId))
                    .forEach(h -> out.add(Json.MAPPER.valueToTree(h)));
            json(ctx, 200, body);
        }
    }

    private void listRuns(Context ctx, Principal principal) throws Exception {
        String tenant = tenantFilter(ctx, principal);
        String status = ctx.queryParam("status");
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.fieldInvalid("status must be one of " + STATUSES + ", was " + status);
        }
        int limit = limit(ctx);
        String cursor = ctx.queryParam("cursor");
        List<RunView> page = new ArrayList<>();
        boolean more = false;
        ReadOnlyKeyValueStore<String, RunView> views = stores.local(ProjectorTopology.RUN_VIEW_STORE);
        try (KeyValueIterator<String, RunView> it = views.all()) {
            while (it.hasNext()) {
                RunView view = it.next().value;
                if ((tenant == null || tenant.equals(view.tenantId())) && principal.sees(view.tenantId())
                        && (status == null || status.equals(view.status()))
                        && (cursor == null || view.runId().compareTo(cursor) > 0)) {
                    page.add(view);
                }
            }
        }
        List<JsonNode> merged = new ArrayList<>();
        page.forEach(v -> merged.add(Json.MAPPER.valueToTree(v)));
        if (ctx.header(FORWARDED) == null) {
            for (String instance : stores.otherInstances(ProjectorTopology.RUN_VIEW_STORE)) {
                JsonNode remote = fetch(ctx, instance);
                remote.path("runs").forEach(merged::add);
                more |= remote.hasNonNull("nextCursor");
            }
        }
        merged.sort(Comparator.comparing(n -> n.path("runId").asText()));
        more |= merged.size() > limit;
        List<JsonNode> shown = merged.subList(0, Math.min(limit, merged.size()));
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode runs = body.putArray("runs");
        shown.forEach(runs::add);
        if (more && !shown.isEmpty()) {
            body.put("nextCursor", shown.get(shown.size() - 1).path("runId").asText());
        }
        json(ctx, 200, body);
    }

    private void listApprovals(Context ctx, Principal principal) throws Exception {
        String status = ctx.queryParam("status");
        if (status != null && !"pending".equals(status)) {
            throw ApiException.fieldInvalid("status must be pending (the inbox holds pending approvals only), was "
                    + status);
        }
        String tenant = tenantFilter(ctx, principal);
        List<JsonNode> merged = new ArrayList<>();
        ReadOnlyKeyValueStore<String, PendingApproval> inbox = stores.local(ProjectorTopology.APPROVAL_INBOX_STORE);
        try (KeyValueIterator<String, PendingApproval> it = inbox.all()) {
            while (it.hasNext()) {
                KeyValue<String, PendingApproval> kv = it.next();
                if ((tenant == null || tenant.equals(kv.value.tenantId())) && principal.sees(kv.value.tenantId())) {
                    merged.add(Json.MAPPER.valueToTree(kv.value));
                }
            }
        }
        if (ctx.header(FORWARDED) == null) {
            for (String instance : stores.otherInstances(ProjectorTopology.APPROVAL_INBOX_STORE)) {
                fetch(ctx, instance).forEach(merged::add);
            }
        }
        merged.sort(Comparator.comparing((JsonNode n) -> n.path("expiresAt").asText())
                .thenComparing(n -> n.path("callId").asText()));
        json(ctx, 200, merged);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private RunView visibleRun(Principal principal, String runId) {
        RunView view = stores.<RunView>local(ProjectorTopology.RUN_VIEW_STORE).get(runId);
        if (view == null || !principal.sees(view.tenantId())) {
            throw ApiException.notFound("run " + runId + " not found");
        }
        return view;
    }

    /** A path id: 1-128 of {@code A-Z a-z 0-9 . _ : @ / -}; anything else is a 400, not a lookup. */
    private static String id(Context ctx, String name) {
        String value = ctx.pathParam(name);
        if (!ID.matcher(value).matches()) {
            throw ApiException.fieldInvalid(name + " must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        return value;
    }

    private static String runIdFilter(Context ctx) {
        String runId = ctx.queryParam("runId");
        if (runId != null && !ID.matcher(runId).matches()) {
            throw ApiException.fieldInvalid("runId must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        return runId;
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private static String tenantFilter(Context ctx, Principal principal) {
        String tenant = ctx.queryParam("tenant");
        if (principal.admin()) {
            return tenant == null || tenant.isBlank() ? null : tenant;
        }
        if (tenant != null && !tenant.isBlank() && !tenant.equals(principal.tenantId())) {
            throw ApiException.forbidden("a principal sees only its own tenant");
        }
        return principal.tenantId();
    }

    private static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.fieldInvalid("limit must be an integer in [1, " + MAX_LIMIT + "], was " + raw);
    }

    /**
     * Whether the key is local and the caller should answer; otherwise the answer (forwarded, or 503) is written.
     */
    private boolean routed(Context ctx, String store, String key) throws InterruptedException {
        ProjectionStores.Owner owner = stores.owner(store, key);
        switch (owner.kind()) {
            case LOCAL:
                return true;
            case REMOTE:
                if (ctx.header(FORWARDED) != null) {
                    throw ApiException.unavailable("key moved while the request was forwarded; retry");
                }
                forward(ctx, owner.hostPort());
                return false;
            default:
                throw ApiException.unavailable("no instance owns the key right now (rebalance); retry");
        }
    }

    private void forward(Context ctx, String instance) throws InterruptedException {
        HttpResponse<String> response = send(ctx, instance);
        ctx.status(response.statusCode());
        ctx.contentType("application/json");
        response.headers().firstValue("Retry-After").ifPresent(v -> ctx.header("Retry-After", v));
        response.headers().firstValue(INSTANCE).ifPresent(v -> ctx.header(INSTANCE, v));
        ctx.attribute(ERROR_WRITTEN, Boolean.TRUE);
        ctx.result(response.body());
    }

    private JsonNode fetch(Context ctx, String instance) throws InterruptedException {
        HttpResponse<String> response = send(ctx, instance);
        if (response.statusCode() != 200) {
            throw ApiException.unavailable("instance " + instance + " answered " + response.statusCode() + "; retry");
        }
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw ApiException.unavailable("instance " + instance + " answered with invalid JSON");
        }
    }

    private HttpResponse<String> send(Context ctx, String instance) throws InterruptedException {
        String query = ctx.queryString();
        URI uri = URI.create("http://" + instance + ctx.path() + (query == null ? "" : "?" + query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(forwardTimeout)
                .header(FORWARDED, stores.self()).GET();
        String authorization = ctx.header("Authorization");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw ApiException.unavailable("instance " + instance + " is unreachable: " + e.getMessage());
        }
    }

    private Principal authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            throw ApiException.unauthenticated("an API key is required: Authorization: Bearer <api key>");
        }
        // One lookup by the key's hash (the store is indexed by it), not a scan of every identity.
        ReadOnlyKeyValueStore<String, Identity> identities = stores.local(ProjectorTopology.IDENTITY_STORE);
        Identity identity = identities.get(ProjectorTopology.apiKeyIndex(Sha256.hex(header.substring(7).trim())));
        if (identity == null) {
            throw ApiException.unauthenticated("unknown API key");
        }
        if (!identity.getEnabled()) {
            throw ApiException.unauthenticated("the identity of this API key is disabled");
        }
        return new Principal(identity.getPrincipalId(), identity.getTenantId(), List.copyOf(identity.getRoles()));
    }

    private void json(Context ctx, int status, Object body) {
        ctx.status(status);
        ctx.header(INSTANCE, stores.self());
        ctx.contentType("application/json");
        ctx.result(Json.write(body));
    }

    private void error(Context ctx, ApiException e) {
        if (e.status() == 503) {
            ctx.header("Retry-After", "1");
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("error").put("code", e.code()).put("message", e.getMessage());
        ctx.attribute(ERROR_WRITTEN, Boolean.TRUE);
        json(ctx, e.status(), body);
    }

    private void fallbackError(Context ctx, int status, String code, String message) {
        if (ctx.attribute(ERROR_WRITTEN) == null) {
            error(ctx, new ApiException(status, code, message));
        }
    }
}

package dev.tollgate.intake.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.Grants;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.IntakeConfig;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.ErrorCode;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.ledger.LedgerWatcher;
import dev.tollgate.policy.engine.DefaultBundle;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The protocol layer of {@code /mcp} on a real Javalin server, without Kafka: the door authenticates fixed keys,
 * and producing a command plays the policy-processor by applying the ledger event it would write (a run with
 * workflow {@code payroll} is rejected, every other admitted with two granted tools; every tool call is denied,
 * except {@code tickets.update}, which is held; FinishRun is only produced). The same endpoint runs on the whole
 * embedded stack in the launcher's {@code McpEndpointIT}.
 */
class McpEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Principal AGENT = new Principal("agent-1", "a", PrincipalKind.AGENT, "acme", List.of());
    private static final Principal OTHER = new Principal("agent-2", "b", PrincipalKind.AGENT, "acme", List.of());
    private static final Principal HUMAN = new Principal("human-1", "h", PrincipalKind.HUMAN, "acme", List.of());
    private static final String QUERY = "/mcp?workflow=research&environment=dev&classification=Internal";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final List<Object> COMMANDS = new CopyOnWriteArrayList<>();

    private static Javalin server;
    private static String base;
    private static RunSessions sessions;
    private static LedgerWatcher ledger;

    @BeforeAll
    static void start() {
        TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());
        ledger = new LedgerWatcher(serdes, 1000, 100);
        sessions = new RunSessions(1000);
        ledger.addListener(sessions::onEvent);
        ToolCatalog tools = ToolCatalog.empty();
        tools.add(PolicyBundle.newBuilder().setName("default").setVersion("1").setSha256("x")
                .setYaml(DefaultBundle.yaml()).setPublishedAt(Instant.now()).build());
        IntakeConfig config = IntakeConfig.of(Map.of("http.port", "0", "max.body.bytes", "4096",
                "mcp.allowed.origins", "http://localhost:*", "mcp.admission.wait", "PT5S", "mcp.hold.wait", "PT1S"));
        McpEndpoint.Door door = new McpEndpoint.Door(ctx -> {
            String header = String.valueOf(ctx.header("Authorization"));
            return switch (header) {
                case "Bearer agent" -> AGENT;
                case "Bearer other" -> OTHER;
                case "Bearer human" -> HUMAN;
                default -> {
                    ctx.header("WWW-Authenticate", "Bearer realm=\"tollgate\"");
                    throw new ApiException(ErrorCode.UNAUTHENTICATED, "the API key is not valid");
                }
            };
        }, (ctx, principal, runId, commandId, payload) -> {
            COMMANDS.add(payload);
            if (!(payload instanceof FinishRun)) {
                ledger.onEvent(decide(principal, runId, payload));
            }
        });
        server = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.port = 0;
            McpEndpoint.register(c, new McpEndpoint.Deps(config, door, ledger, sessions, tools));
        }).start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    /** What the policy-processor would write for the command, as the test's stand-in. */
    private static LedgerEvent decide(Principal principal, String runId, Object payload) {
        Object event;
        if (payload instanceof RequestRun run && run.getWorkflow().equals("payroll")) {
            event = RunRejected.newBuilder().setWorkflow("payroll").setEnvironment(run.getEnvironment())
                    .setClassification(run.getClassification()).setReasons(List.of(Reason.newBuilder()
                            .setCode(ReasonCode.DENIED_BY_RULE).setRuleId("unknown-workflow")
                            .setMessage("unknown workflow").setSuggest(List.of()).build())).build();
        } else if (payload instanceof RequestRun run) {
            event = RunAdmitted.newBuilder().setWorkflow(run.getWorkflow()).setEnvironment(run.getEnvironment())
                    .setClassification(run.getClassification()).setRuleId("default")
                    .setGrants(Grants.newBuilder().setTools(List.of("search_docs", "echo")).build()).build();
        } else if (payload instanceof RequestToolCall call && call.getTool().equals("tickets.update")) {
            event = ToolCallHeld.newBuilder().setCallId(call.getCallId()).setTool(call.getTool())
                    .setArgsJson(call.getArgsJson()).setArgsSha256("x").setApproverRoles(List.of("support-lead"))
                    .setExpiresAt(Instant.now().plusSeconds(600)).build();
        } else if (payload instanceof RequestToolCall call) {
            event = ToolCallDenied.newBuilder().setCallId(call.getCallId()).setTool(call.getTool())
                    .setReasons(List.of(Reason.newBuilder().setCode(ReasonCode.TOOL_UNKNOWN).setRuleId(null)
                            .setMessage("no such tool").setSuggest(List.of("search_docs")).build())).build();
        } else {
            throw new IllegalStateException("unexpected " + payload);
        }
        return event(principal, runId, event);
    }

    private static LedgerEvent event(Principal principal, String runId, Object event) {
        return LedgerEvent.newBuilder().setRunId(runId).setSeq(SEQ.incrementAndGet())
                .setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setTenantId(principal.tenantId()).setPrincipalId(principal.principalId())
                .setPolicyName("default").setPolicyVersion("1").setPolicySha256(DefaultBundle.compiled().sha256())
                .setPrevHash("0".repeat(64)).setPayload(event).build();
    }

    @Test
    void opensASessionWhoseIdIsTheRunAndListsTheGrantedToolsWithTheirSchemas() throws Exception {
        HttpResponse<String> init = post(QUERY, "agent", Map.of(), initialize("2025-06-18"));
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(sessions.session(session)).isPresent();
        assertThat(json(init).path("result").path("protocolVersion").asText()).isEqualTo("2025-06-18");

        JsonNode tools = json(post("/mcp", "agent", headers(session), request("tools/list", "{}")));
        assertThat(tools.path("result").path("tools").path(0).path("name").asText()).isEqualTo("search_docs");
        assertThat(tools.path("result").path("tools").path(0).path("inputSchema").path("required").toString())
                .isEqualTo("[\"q\"]");
        assertThat(tools.path("result").path("tools").path(1).path("description").asText()).isNotEmpty();

        JsonNode denied = json(post("/mcp", "agent", headers(session),
                request("tools/call", "{\"name\":\"shell.exec\",\"arguments\":{}}")));
        assertThat(denied.path("result").path("isError").asBoolean()).isTrue();
        assertThat(denied.path("result").path("content").path(0).path("text").asText())
                .isEqualTo("TOOL_UNKNOWN: no such tool Suggested tools: search_docs.");

        assertThat(post("/mcp", "other", headers(session), request("ping", "{}")).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/mcp", "agent", headers(session), null).statusCode()).isEqualTo(204);
        assertThat(post("/mcp", "agent", headers(session), request("ping", "{}")).statusCode()).isEqualTo(404);
    }

    @Test
    void recordsTheClientInfoInTheRunsInput() throws Exception {
        String session = post(QUERY, "agent", Map.of(), initialize("2025-11-25")).headers()
                .firstValue("Mcp-Session-Id").orElseThrow();

        RequestRun run = COMMANDS.stream().filter(RequestRun.class::isInstance).map(RequestRun.class::cast)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(JSON.readTree(run.getInputJson()).path("mcp").path("clientInfo").toString())
                .isEqualTo("{\"name\":\"test\",\"version\":\"1\"}");
        assertThat(run.getWorkflow()).isEqualTo("research");
        assertThat(session).isNotBlank();
    }

    @Test
    void answersPendingApprovalAfterTheHoldWaitAndLetsTheSameCallPickUpItsOutcome() throws Exception {
        String session = post(QUERY, "agent", Map.of(), initialize("2025-11-25")).headers()
                .firstValue("Mcp-Session-Id").orElseThrow();
        String call = request("tools/call", "{\"name\":\"tickets.update\",\"arguments\":{\"ticket_ids\":[1]}}");
        long before = COMMANDS.stream().filter(RequestToolCall.class::isInstance).count();

        JsonNode pending = json(post("/mcp", "agent", headers(session), call)).path("result");
        assertThat(pending.path("isError").asBoolean()).isTrue();
        assertThat(pending.path("content").path(0).path("text").asText()).startsWith("PENDING_APPROVAL: the call ");
        String callId = pending.path("structuredContent").path("callId").asText();

        ledger.onEvent(event(AGENT, session, ApprovalGranted.newBuilder().setCallId(callId).setApproverId("lead")
                .build()));
        ledger.onEvent(event(AGENT, session, ToolCallCompleted.newBuilder().setCallId(callId)
                .setTool("tickets.update").setStatus(ToolCallStatus.FAILED).build()));
        JsonNode again = json(post("/mcp", "agent", headers(session), call)).path("result");

        assertThat(COMMANDS.stream().filter(RequestToolCall.class::isInstance).count()).isEqualTo(before + 1);
        assertThat(again.path("structuredContent").path("callId").asText()).isEqualTo(callId);
        assertThat(again.path("content").path(0).path("text").asText()).startsWith("FAILED: the call " + callId);
    }

    @Test
    void answersARejectedRunWithItsCode() throws Exception {
        HttpResponse<String> init = post("/mcp?workflow=payroll&environment=dev&classification=Internal", "agent",
                Map.of(), initialize("2025-11-25"));
        JsonNode error = json(init).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32000);
        assertThat(error.path("message").asText()).startsWith("DENIED_BY_RULE unknown-workflow: unknown workflow");
        assertThat(error.path("data").path("code").asText()).isEqualTo("DENIED_BY_RULE");
        assertThat(init.headers().firstValue("Mcp-Session-Id")).isEmpty();
    }

    @Test
    void refusesBadInputWithTheJsonRpcCodes() throws Exception {
        String session = post(QUERY, "agent", Map.of(), initialize("2025-11-25")).headers()
                .firstValue("Mcp-Session-Id").orElseThrow();
        Map<String, String> own = headers(session);
        assertRpc(post("/mcp", "agent", own, "{not json"), 400, -32700);
        assertRpc(post("/mcp", "agent", own, "[1,"), 400, -32700);
        assertRpc(post("/mcp", "agent", own, "42"), 400, -32600);
        assertRpc(post("/mcp", "agent", own, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}"), 400, -32600);
        assertRpc(post("/mcp", "agent", own, "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}"), 400, -32600);
        assertRpc(post("/mcp", "agent", own, request("resources/list", "{}")), 200, -32601);
        assertRpc(post("/mcp", "agent", own, request("tools/call", "{\"name\":7}")), 200, -32602);
        assertRpc(post("/mcp", "agent", own, request("tools/call", "{\"name\":\"echo\",\"arguments\":[]}")), 200,
                -32602);
        assertRpc(post("/mcp", "agent", own, request("logging/setLevel", "{\"level\":\"loud\"}")), 200, -32602);
        assertThat(json(post("/mcp", "agent", own, request("logging/setLevel", "{\"level\":\"info\"}")))
                .path("result").isObject()).isTrue();
        assertRpc(post("/mcp", "agent", own, "{\"x\":\"" + "a".repeat(5000) + "\"}"), 413, -32600);
        assertRpc(post("/mcp", "agent", Map.of(), request("ping", "{}")), 400, -32600);
        assertRpc(post(QUERY.replace("&classification=Internal", ""), "agent", Map.of(), initialize("2025-11-25")),
                400, -32602);
        assertRpc(send("GET", "/mcp", "agent", own, null), 405, -32600);
        assertThat(post("/mcp", "agent", own, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .statusCode()).isEqualTo(202);
    }

    @Test
    void answersBatchesOnlyUnderTheRevisionThatHasThem() throws Exception {
        String session = post(QUERY, "agent", Map.of(), initialize("2025-03-26")).headers()
                .firstValue("Mcp-Session-Id").orElseThrow();
        String batch = "[" + request("ping", "{}") + ",{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"nope\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]";

        JsonNode answered = json(post("/mcp", "agent", Map.of("Mcp-Session-Id", session), batch));
        assertThat(answered.size()).isEqualTo(2);
        assertThat(answered.path(0).path("result").isObject()).isTrue();
        assertThat(answered.path(1).path("error").path("code").asInt()).isEqualTo(-32601);
        assertRpc(post("/mcp", "agent", headers(session), batch), 400, -32600);
        assertRpc(post("/mcp", "agent", Map.of("Mcp-Session-Id", session, "MCP-Protocol-Version", "1999-01-01"),
                request("ping", "{}")), 400, -32600);
    }

    @Test
    void refusesMissingKeysHumansAndForeignOrigins() throws Exception {
        HttpResponse<String> anonymous = post(QUERY, "nobody", Map.of(), initialize("2025-11-25"));
        assertRpc(anonymous, 401, -32000);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).startsWith("Bearer"));
        assertRpc(post(QUERY, "human", Map.of(), initialize("2025-11-25")), 403, -32000);
        assertRpc(post(QUERY, "agent", Map.of("Origin", "http://evil.test"), initialize("2025-11-25")), 403, -32000);
        assertThat(post(QUERY, "agent", Map.of("Origin", "http://localhost:5173"), initialize("2025-11-25"))
                .statusCode()).isEqualTo(200);
    }

    private static void assertRpc(HttpResponse<String> response, int status, int code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json(response);
        assertThat(body.path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(body.path("error").path("code").asInt()).as(response.body()).isEqualTo(code);
    }

    private static Map<String, String> headers(String session) {
        return Map.of("Mcp-Session-Id", session, "MCP-Protocol-Version", "2025-11-25");
    }

    private static String initialize(String version) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}";
    }

    private static String request(String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"r-1\",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> post(String path, String key, Map<String, String> headers, String body)
            throws Exception {
        return send("POST", path, key, headers, body);
    }

    private static HttpResponse<String> send(String method, String path, String key, Map<String, String> headers,
                                             String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + key)
                .header("Accept", "application/json, text/event-stream")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.kafka.FreePorts;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP endpoint of intake on the whole embedded stack (broker, policy-processor with the reference bundle,
 * gateway, projector, intake), driven by the official MCP Java SDK's client over Streamable HTTP. Raw HTTP is used
 * only where the test must look at what the SDK hides (status codes and headers of refusals).
 */
class McpEndpointIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUERY = "/mcp?workflow=support-triage&environment=staging&classification=Internal";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dataDir;

    private static DevStack stack;
    private static String intake;
    private static String query;
    private static String agentKey;
    private static String otherAgentKey;
    private static String leadKey;
    private static String adminKey;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        adminKey = ApiKeys.generate();
        int intakePort = FreePorts.next();
        int queryPort = FreePorts.next();
        stack = new DevStack(new DevSettings(dataDir, 0, 0, intakePort, queryPort, Optional.empty()),
                DevComponents.all(adminKey), new PrintWriter(new StringWriter(), true)).start();
        intake = "http://127.0.0.1:" + intakePort;
        query = "http://127.0.0.1:" + queryPort;
        agentKey = identity("mcp-agent", "agent", List.of());
        otherAgentKey = identity("other-agent", "agent", List.of());
        leadKey = identity("lead", "human", List.of("support-lead"));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void runsAGovernedSessionFromInitializeToDelete() throws Exception {
        List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
        McpSyncClient client = client(agentKey, QUERY, progress::add);

        McpSchema.InitializeResult init = client.initialize();
        assertThat(init.protocolVersion()).isEqualTo("2025-11-25");
        assertThat(init.capabilities().tools()).isNotNull();

        McpSchema.ListToolsResult tools = client.listTools();
        assertThat(tools.tools()).extracting(McpSchema.Tool::name).containsExactly("search_docs", "read_repo",
                "http.fetch", "tickets.update", "email.send", "echo");
        McpSchema.Tool search = tools.tools().get(0);
        assertThat(search.description()).contains("search");
        assertThat(search.inputSchema()).containsEntry("required", List.of("q")).containsKey("properties");

        McpSchema.CallToolResult approved = client.callTool(callTool("search_docs", Map.of("q", "refund policy")));
        assertThat(approved.isError()).as("%s", approved).isFalse();
        assertThat(approved.structuredContent()).isNotNull();
        assertThat(((McpSchema.TextContent) approved.content().get(0)).text())
                .isEqualTo(JSON.writeValueAsString(approved.structuredContent()));
        @SuppressWarnings("unchecked")
        Map<String, Object> receipt = (Map<String, Object>) approved.meta().get("dev.tollgate/receipt");
        assertThat(receipt).containsEntry("status", "SUCCEEDED").containsEntry("tool", "search_docs")
                .containsKey("signature");
        String runId = (String) receipt.get("runId");

        McpSchema.CallToolResult denied = client.callTool(callTool("email.send",
                Map.of("to", List.of("someone@gmail.com"), "subject", "hello")));
        assertThat(denied.isError()).isTrue();
        assertThat(((McpSchema.TextContent) denied.content().get(0)).text())
                .startsWith("DENIED_BY_RULE external-email: ");
        assertThat(JSON.valueToTree(denied.structuredContent()).path("reasons").path(0).path("code").asText())
                .isEqualTo("DENIED_BY_RULE");

        McpSchema.CallToolResult unknown = client.callTool(callTool("shell.exec", Map.of("cmd", "ls")));
        assertThat(((McpSchema.TextContent) unknown.content().get(0)).text()).startsWith("TOOL_UNKNOWN");

        // A bulk update is held for approval; the lead approves it while the call waits, seen through progress.
        CompletableFuture<McpSchema.CallToolResult> held = CompletableFuture.supplyAsync(() -> client.callTool(
                McpSchema.CallToolRequest.builder("tickets.update")
                        .arguments(Map.of("ticket_ids", IntStream.rangeClosed(1, 12).boxed().toList(),
                                "fields", Map.of("priority", "high")))
                        .progressToken("bulk-1").build()));
        Awaitility.await().atMost(WAIT).failFast(held::isDone).until(() -> !progress.isEmpty());
        assertThat(progress.get(0).progressToken()).isEqualTo("bulk-1");
        Matcher callId = Pattern.compile("the call (\\S+) is held").matcher(progress.get(0).message());
        assertThat(callId.find()).as(progress.get(0).message()).isTrue();
        HttpResponse<String> approval = post(intake + "/v1/approvals/" + callId.group(1), leadKey,
                Map.of(), "{\"decision\":\"approve\",\"reason\":\"agreed\"}");
        assertThat(approval.statusCode()).as(approval.body()).isEqualTo(202);
        McpSchema.CallToolResult afterApproval = held.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(afterApproval.isError()).as("%s", afterApproval).isFalse();
        assertThat(afterApproval.meta()).containsKey("dev.tollgate/receipt");

        client.closeGracefully();

        // The ledger has every decision, the run completed (the DELETE finished it) and its chain verifies.
        JsonNode events = Awaitility.await().atMost(WAIT).until(() -> get(query + "/v1/runs/" + runId + "/events",
                agentKey), e -> e.toString().contains("RunCompleted"));
        List<String> types = new ArrayList<>();
        events.forEach(e -> types.add(e.path("type").asText()));
        assertThat(types).startsWith("RunAdmitted").contains("ToolCallApproved", "ToolCallDenied", "ToolCallHeld",
                "ApprovalGranted", "ToolCallCompleted").endsWith("RunCompleted");
        assertThat(events.toString()).contains("support-triage");
        JsonNode verify = get(query + "/v1/runs/" + runId + "/verify", agentKey);
        assertThat(verify.path("valid").asBoolean()).as(verify.toString()).isTrue();
    }

    @Test
    void rejectsARunWithItsStableCodeAndNamesAMissingQueryParameter() throws Exception {
        McpSyncClient unknownWorkflow = client(agentKey,
                "/mcp?workflow=payroll&environment=staging&classification=Internal", p -> { });
        assertThatThrownBy(unknownWorkflow::initialize).hasStackTraceContaining("unknown-workflow");

        HttpResponse<String> missing = post(intake + "/mcp?workflow=support-triage&environment=staging", agentKey,
                Map.of(), initialize("2025-11-25"));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missing.body()).path("error").path("message").asText()).contains("classification");
    }

    @Test
    void refusesWrongKeysHumansForeignOriginsAndOtherSessions() throws Exception {
        assertThatThrownBy(client("tg_not_a_real_key_000000000000", QUERY, p -> { })::initialize)
                .isInstanceOf(RuntimeException.class);
        HttpResponse<String> noKey = post(intake + QUERY, null, Map.of(), initialize("2025-11-25"));
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
        assertThat(post(intake + QUERY, leadKey, Map.of(), initialize("2025-11-25")).statusCode()).isEqualTo(403);
        assertThat(post(intake + QUERY, adminKey, Map.of(), initialize("2025-11-25")).statusCode()).isEqualTo(403);
        assertThat(post(intake + QUERY, agentKey, Map.of("Origin", "http://evil.example"),
                initialize("2025-11-25")).statusCode()).isEqualTo(403);
        assertThat(post(intake + QUERY, agentKey, Map.of("Origin", "http://localhost:6274"),
                initialize("2025-11-25")).statusCode()).isEqualTo(200);

        HttpResponse<String> opened = post(intake + QUERY, agentKey, Map.of(), initialize("2025-06-18"));
        String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
        String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
        Map<String, String> own = Map.of("Mcp-Session-Id", session, "MCP-Protocol-Version", "2025-06-18");
        assertThat(post(intake + "/mcp", agentKey, own, list).statusCode()).isEqualTo(200);
        assertThat(post(intake + "/mcp", otherAgentKey, own, list).statusCode()).isEqualTo(404);
        assertThat(post(intake + "/mcp", agentKey, Map.of("Mcp-Session-Id", UUID.randomUUID().toString()),
                list).statusCode()).isEqualTo(404);
        assertThat(post(intake + "/mcp", agentKey, Map.of(), list).statusCode()).isEqualTo(400);
        HttpResponse<String> batch = post(intake + "/mcp", agentKey, own, "[" + list + "]");
        assertThat(batch.statusCode()).isEqualTo(400);
        assertThat(batch.body()).contains("-32600");
    }

    @Test
    void theKillSwitchAppliesToSessionsAsOnTheHttpApi() throws Exception {
        JsonNode agent = created("killed-agent", "agent", List.of());
        String key = agent.path("apiKey").asText();
        McpSyncClient client = client(key, QUERY, p -> { });
        client.initialize();

        HttpResponse<String> engaged = send("PUT", intake + "/v1/kill-switches/agent/"
                + agent.path("principalId").asText(), adminKey, "{\"reason\":\"loops\"}");
        assertThat(engaged.statusCode()).as(engaged.body()).isEqualTo(200);

        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            McpSchema.CallToolResult refused = client.callTool(callTool("search_docs", Map.of("q", "anything")));
            assertThat(refused.isError()).isTrue();
            assertThat(((McpSchema.TextContent) refused.content().get(0)).text())
                    .matches("(?s)(KILL_SWITCH|RUN_NOT_ACTIVE).*");
        });
        assertThatThrownBy(client(key, QUERY, p -> { })::initialize).hasStackTraceContaining("KILL_SWITCH");
    }

    @Test
    void negotiatesTheRevision() throws Exception {
        McpSyncClient old = McpClient.sync(HttpClientStreamableHttpTransport.builder(intake).endpoint(QUERY)
                        .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + agentKey))
                        .supportedProtocolVersions(List.of("2025-03-26")).build())
                .clientInfo(McpSchema.Implementation.builder("mcp-it-old", "0.1").build())
                .requestTimeout(WAIT).build();
        assertThat(old.initialize().protocolVersion()).isEqualTo("2025-03-26");
        assertThat(old.listTools().tools()).isNotEmpty();
        old.closeGracefully();

        HttpResponse<String> future = post(intake + QUERY, agentKey, Map.of(), initialize("2099-01-01"));
        assertThat(JSON.readTree(future.body()).path("result").path("protocolVersion").asText())
                .isEqualTo("2025-11-25");
    }

    /**
     * A seeded fuzz of the endpoint in the style of intake's {@code MalformedRequests}: broken bytes, broken JSON,
     * JSON-RPC messages with wrong members, batches, bad headers and sessions, oversized bodies. Every answer must be
     * below 500, and every answer with a body a JSON-RPC error. The seed is in the failure message.
     */
    @Test
    void answersThousandsOfMalformedMessagesWithoutA5xx() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        HttpResponse<String> opened = post(intake + QUERY, agentKey, Map.of(), initialize("2025-11-25"));
        String session = opened.headers().firstValue("Mcp-Session-Id").orElseThrow();
        String[] methods = {"ping", "tools/list", "tools/call", "logging/setLevel", "initialize", "resources/list",
            "nope", "notifications/initialized", "notifications/cancelled", ""};
        String[] ids = {"1", "\"a\"", "null", "1.5", "[]", "{}", "true", "-7", "\"\""};
        String[] params = {"", ",\"params\":null", ",\"params\":[]", ",\"params\":{}", ",\"params\":\"x\"",
            ",\"params\":{\"name\":5}", ",\"params\":{\"name\":\"a b\"}",
            ",\"params\":{\"name\":\"echo\",\"arguments\":\"s\"}", ",\"params\":{\"level\":\"loud\"}",
            ",\"params\":{\"requestId\":1}", ",\"params\":{\"protocolVersion\":7}"};
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            String body;
            switch (random.nextInt(6)) {
                case 0 -> {
                    byte[] bytes = new byte[random.nextInt(64)];
                    random.nextBytes(bytes);
                    body = new String(bytes, StandardCharsets.ISO_8859_1);
                }
                case 1 -> body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"".substring(0, random.nextInt(30));
                case 2 -> body = "[" + message(random, methods, ids, params) + "]";
                case 3 -> body = random.nextInt(50) == 0 ? "{\"x\":\"" + "a".repeat(1_100_000) + "\"}" : "[]";
                default -> body = message(random, methods, ids, params);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            switch (random.nextInt(5)) {
                case 0 -> headers.put("Mcp-Session-Id", session);
                case 1 -> headers.put("Mcp-Session-Id", random.nextBoolean() ? "x" : UUID.randomUUID()
                        .toString());
                case 2 -> {
                    headers.put("Mcp-Session-Id", session);
                    headers.put("MCP-Protocol-Version", random.nextBoolean() ? "2025-06-18" : "1.0");
                }
                default -> {
                }
            }
            String key = random.nextInt(10) == 0 ? (random.nextBoolean() ? null : leadKey) : agentKey;
            HttpResponse<String> answer = post(intake + "/mcp", key, headers, body);
            boolean jsonRpc = answer.body().isEmpty() || answer.body().contains("\"jsonrpc\":\"2.0\"");
            if (answer.statusCode() >= 500 || !jsonRpc) {
                failures.add("seed " + seed + " #" + i + " " + answer.statusCode() + " " + body.substring(0,
                        Math.min(200, body.length())) + " -> " + answer.body());
            }
        }
        assertThat(failures).isEmpty();
    }

    private static String message(Random random, String[] methods, String[] ids, String[] params) {
        StringBuilder message = new StringBuilder("{");
        message.append(random.nextInt(8) == 0 ? "\"jsonrpc\":\"1.0\"" : "\"jsonrpc\":\"2.0\"");
        if (random.nextInt(4) != 0) {
            message.append(",\"id\":").append(ids[random.nextInt(ids.length)]);
        }
        if (random.nextInt(6) != 0) {
            message.append(",\"method\":\"").append(methods[random.nextInt(methods.length)]).append('"');
        } else if (random.nextBoolean()) {
            message.append(",\"result\":{}");
        }
        message.append(params[random.nextInt(params.length)]);
        return message.append('}').toString();
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static McpSyncClient client(String key, String endpoint,
                                        Consumer<McpSchema.ProgressNotification> progress) {
        return McpClient.sync(HttpClientStreamableHttpTransport.builder(intake).endpoint(endpoint)
                        .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + key))
                        .build())
                .clientInfo(McpSchema.Implementation.builder("mcp-it", "1.0").build())
                .requestTimeout(Duration.ofSeconds(90))
                .progressConsumer(progress)
                .build();
    }

    private static McpSchema.CallToolRequest callTool(String name, Map<String, Object> arguments) {
        return McpSchema.CallToolRequest.builder(name).arguments(arguments).build();
    }

    private static String initialize(String version) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
    }

    private static String identity(String name, String kind, List<String> roles) throws Exception {
        return created(name, kind, roles).path("apiKey").asText();
    }

    private static JsonNode created(String name, String kind, List<String> roles) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("kind", kind);
        body.put("tenant", "acme");
        body.put("roles", roles);
        HttpResponse<String> created = post(intake + "/v1/identities", adminKey, Map.of(),
                JSON.writeValueAsString(body));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body());
    }

    private static HttpResponse<String> send(String method, String url, String key, String body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String key, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // The client reused a keep-alive connection the server had just closed after refusing a malformed
            // message ("header parser received no bytes"): no answer was given, so the message is sent once more
            // on a new connection. A 5xx is still a failure; only a dropped connection is retried, once.
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static JsonNode get(String url, String key) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }
}

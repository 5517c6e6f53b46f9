package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * End to end through {@code tollgate dev --gateway-config}: the real {@code @modelcontextprotocol/server-filesystem}
 * from npm (installed by {@code .ci/run} into {@code .ci/node}; skipped where it is not installed) behind the
 * gateway, a bundle that pins one of its tools, and an agent over the HTTP API: an approved call returns the
 * upstream's content, a tool the bundle does not list is denied ({@code TOOL_UNKNOWN}), a held call runs after
 * approval, and {@code tollgate tools list|import} show the catalog and the pin.
 */
class UpstreamToolsDevIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static Optional<Path> filesystemServer() {
        String env = System.getenv("TOLLGATE_MCP_FILESYSTEM_BIN");
        Path bin = env != null && !env.isBlank() ? Path.of(env)
                : Path.of("..", ".ci", "node", "node_modules", ".bin", "mcp-server-filesystem").toAbsolutePath()
                .normalize();
        return Files.isExecutable(bin) ? Optional.of(bin) : Optional.empty();
    }

    @Test
    void governsARealMcpServersToolsApprovedDeniedAndHeld() throws Exception {
        Optional<Path> server = filesystemServer();
        Assumptions.assumeTrue(server.isPresent(), "skipped: @modelcontextprotocol/server-filesystem is not installed"
                + " (.ci/run installs it with npm into .ci/node; or set TOLLGATE_MCP_FILESYSTEM_BIN)");
        Path share = Files.createDirectories(dir.resolve("share")).toRealPath();
        Files.writeString(share.resolve("hello.txt"), "hello from the share");
        Path gatewayYaml = dir.resolve("gateway.yaml");
        Files.writeString(gatewayYaml, """
                timeouts:
                  default: PT20S
                mcp:
                  servers:
                    - name: files
                      command: ["%s", "%s"]
                """.formatted(server.get(), share));

        StringWriter out = new StringWriter();
        CommandLine commandLine = Tollgate.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        DevCommand dev = commandLine.getSubcommands().get("dev").getCommand();
        CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(() -> commandLine.execute("dev",
                "--data-dir", dir.resolve("data").toString(), "--kafka-port", "0", "--registry-port", "0",
                "--intake-port", "0", "--query-port", "0", "--gateway-config", gatewayYaml.toString()));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(180)).failFast(exitCode::isDone)
                    .until(() -> out.toString().contains("Tollgate dev stack ready"));
            String bootstrap = find(out.toString(), "Kafka bootstrap servers: (\\S+)");
            String registry = find(out.toString(), "Schema registry: +(\\S+)");
            String intake = find(out.toString(), "Intake API +(\\S+)");
            String adminKey = find(out.toString(), "Admin key +(\\S+)");

            // The gateway published the server's tools to the catalog.
            AtomicReference<String> pin = new AtomicReference<>();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                CommandRun list = CommandRun.of("tools", "list", "--bootstrap-servers", bootstrap,
                        "--schema-registry-url", registry);
                for (String line : list.out().split("\n")) {
                    if (line.contains("\"name\":\"files.read_text_file\"")) {
                        pin.set(JSON.readTree(line).path("sha256").asText());
                    }
                }
                return pin.get() != null;
            });
            CommandRun imported = CommandRun.of("tools", "import", "files", "--bootstrap-servers", bootstrap,
                    "--schema-registry-url", registry);
            assertThat(imported.exitCode()).isZero();
            assertThat(imported.out()).contains("    files.read_text_file:", "pin: \"" + pin.get() + "\"");

            String bundle = """
                    apiVersion: tollgate.dev/v1
                    kind: PolicyBundle
                    metadata: {name: default, version: "mcp-it-1"}
                    spec:
                      runs:
                        - id: all
                          when: 'true'
                          grants:
                            tools: ["files.read_text_file", "files.list_directory"]
                            maxToolCalls: 20
                            budget: {costMicros: 1000000, tokens: 1000}
                      tools:
                        files.read_text_file:
                          risk: read
                          pin: "%s"
                          args: {type: object, properties: {path: {type: string}}, required: [path]}
                        files.list_directory:
                          risk: read
                          args: {type: object, properties: {path: {type: string}}, required: [path]}
                      rules:
                        - id: listing-needs-approval
                          effect: require_approval
                          tools: ["files.list_directory"]
                          when: 'true'
                          approval: {roles: ["support-lead"], expiresIn: PT30M}
                        - id: allow-read
                          effect: allow
                          when: 'tool.risk == "read"'
                    """.formatted(pin.get());
            HttpResponse<String> published = send(intake + "/v1/policies/default", "PUT", adminKey, bundle,
                    "application/yaml");
            assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
            String agentKey = identity(intake, adminKey, "files-agent", "agent", "[]");
            String leadKey = identity(intake, adminKey, "files-lead", "human", "[\"support-lead\"]");

            // Approved once the new bundle is in force: the upstream's content comes back unchanged.
            AtomicReference<String> runId = new AtomicReference<>();
            AtomicReference<JsonNode> approved = new AtomicReference<>();
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                runId.set(JSON.readTree(send(intake + "/v1/runs", "POST", agentKey, """
                        {"workflow":"support-triage","environment":"staging","classification":"Internal",
                         "input":{}}""", "application/json").body()).path("runId").asText());
                JsonNode answer = call(intake, agentKey, runId.get(), "files.read_text_file",
                        "{\"path\":\"" + share.resolve("hello.txt") + "\"}");
                approved.set(answer);
                return "APPROVED".equals(answer.path("decision").asText());
            });
            assertThat(approved.get().path("status").asText()).as(approved.get().toString()).isEqualTo("SUCCEEDED");
            assertThat(approved.get().path("result").path("content").get(0).path("text").asText())
                    .isEqualTo("hello from the share");

            // Not in the bundle: denied by default, whatever the upstream offers.
            JsonNode denied = call(intake, agentKey, runId.get(), "files.write_file",
                    "{\"path\":\"" + share.resolve("x.txt") + "\",\"content\":\"x\"}");
            assertThat(denied.path("decision").asText()).isEqualTo("DENIED");
            assertThat(denied.path("reasons").get(0).path("code").asText()).isEqualTo("TOOL_UNKNOWN");
            assertThat(share.resolve("x.txt")).doesNotExist();

            // Held until a support lead approves; then it runs.
            JsonNode held = call(intake, agentKey, runId.get(), "files.list_directory",
                    "{\"path\":\"" + share + "\"}");
            assertThat(held.path("decision").asText()).isEqualTo("PENDING_APPROVAL");
            String callId = held.path("callId").asText();
            // The approvals inbox is a view of the ledger: it may trail the decision by a moment.
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    send(intake + "/v1/approvals/" + callId, "POST", leadKey,
                            "{\"decision\":\"approve\",\"reason\":\"looks fine\"}", "application/json")
                            .statusCode() < 300);
            String query = find(out.toString(), "Query API +(\\S+)");
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                HttpResponse<String> view = HTTP.send(HttpRequest.newBuilder(URI.create(query + "/v1/tool-calls/"
                        + callId)).header("Authorization", "Bearer " + agentKey).build(),
                        HttpResponse.BodyHandlers.ofString());
                return view.statusCode() == 200 && "SUCCEEDED".equals(JSON.readTree(view.body()).path("status")
                        .asText());
            });

            CommandRun list = CommandRun.of("tools", "list", "--bootstrap-servers", bootstrap,
                    "--schema-registry-url", registry);
            assertThat(list.out()).contains("\"name\":\"files.read_text_file\"")
                    .containsPattern("\"name\":\"files.read_text_file\"[^\\n]*\"pinned\":true[^\\n]*\"drifted\":false");
            assertThat(list.exitCode()).isZero();
        } finally {
            dev.stop();
            exitCode.get(90, TimeUnit.SECONDS);
        }
    }

    /** A tool call, waiting up to 20 s for its decision and, when approved, its outcome. */
    private static JsonNode call(String intake, String key, String runId, String tool, String args) throws Exception {
        HttpResponse<String> response = send(intake + "/v1/runs/" + runId + "/tool-calls?waitMs=20000", "POST", key,
                "{\"tool\":\"" + tool + "\",\"args\":" + args + "}", "application/json");
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
        return JSON.readTree(response.body());
    }

    private static String identity(String intake, String adminKey, String name, String kind, String roles)
            throws Exception {
        HttpResponse<String> created = send(intake + "/v1/identities", "POST", adminKey, """
                {"name":"%s","kind":"%s","tenant":"acme","roles":%s}""".formatted(name, kind, roles),
                "application/json");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("apiKey").asText();
    }

    private static HttpResponse<String> send(String url, String method, String key, String body, String type)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", type)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String find(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("output has " + regex + ":\n" + text).isTrue();
        return matcher.group(1);
    }
}

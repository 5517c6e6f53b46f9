package dev.tollgate.launcher.demo;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The demo's MCP agent: the official MCP Java SDK's client, configured only with intake's {@code /mcp} URL (with
 * the run's workflow, environment and classification in the query) and the agent's bearer key, as any MCP-speaking
 * agent would be. One session is one run: it lists the granted tools, makes an approved call and a denied one, and
 * ends the session (which finishes the run).
 */
final class McpSession {

    /** What the session saw. */
    record Seen(String runId, int tools, String approved, String denied) {
    }

    private McpSession() {
    }

    static Seen run(String intakeUrl, String agentKey) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(intakeUrl)
                .endpoint("/mcp?workflow=support-triage&environment=staging&classification=Internal")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + agentKey))
                .build();
        McpSyncClient client = McpClient.sync(transport)
                .clientInfo(McpSchema.Implementation.builder("tollgate-demo-agent", "1.0").build())
                .requestTimeout(Duration.ofSeconds(60))
                .build();
        try {
            client.initialize();
            int tools = client.listTools().tools().size();
            McpSchema.CallToolResult approved = client.callTool(callTool("search_docs", Map.of("q", "refund policy")));
            McpSchema.CallToolResult denied = client.callTool(callTool("email.send",
                    Map.of("to", List.of("someone@gmail.com"), "subject", "hello")));
            Object receipt = approved.meta() == null ? null : approved.meta().get("dev.tollgate/receipt");
            String runId = receipt instanceof Map<?, ?> map && map.get("runId") instanceof String id ? id : "";
            return new Seen(runId, tools, Boolean.TRUE.equals(approved.isError()) ? "isError" : "content",
                    firstWord(denied));
        } finally {
            client.closeGracefully();
        }
    }

    private static McpSchema.CallToolRequest callTool(String name, Map<String, Object> arguments) {
        return McpSchema.CallToolRequest.builder(name).arguments(arguments).build();
    }

    private static String firstWord(McpSchema.CallToolResult result) {
        if (!Boolean.TRUE.equals(result.isError()) || result.content().isEmpty()
                || !(result.content().get(0) instanceof McpSchema.TextContent text)) {
            return "not an error";
        }
        String value = text.text();
        int end = value.indexOf(' ');
        return end < 0 ? value : value.substring(0, end);
    }
}

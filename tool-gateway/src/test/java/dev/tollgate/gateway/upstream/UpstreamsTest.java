package dev.tollgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.events.ToolDefinition;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.ToolRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-time checks of the upstream config: secrets, collisions, bad entries. */
class UpstreamsTest {

    @TempDir
    Path dir;

    private GatewayConfig config(String yaml) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        return GatewayConfig.fromYaml(file, Map.of("data.dir", dir.resolve("gw").toString()));
    }

    @Test
    void anUnknownSecretFailsTheStartNamingIt() throws Exception {
        Files.createDirectories(dir.resolve("secrets"));
        GatewayConfig config = config("""
                secrets: %s
                http_tools:
                  - name: tickets.create
                    method: POST
                    url: "https://helpdesk.example/api/tickets"
                    headers: {Authorization: "Bearer ${secret:helpdesk}"}
                    body: args
                """.formatted(dir.resolve("secrets")));
        assertThatThrownBy(() -> Upstreams.start(config, ToolRegistry.builtIns(config), defs -> { },
                Clock.systemUTC())).hasMessageContaining("unknown secret 'helpdesk'")
                .hasMessageContaining("http_tools[tickets.create].headers.Authorization");
    }

    @Test
    void aRestToolNamedLikeABuiltInFailsTheStartNamingBoth() throws Exception {
        GatewayConfig config = config("""
                http_tools:
                  - name: http.fetch
                    url: "https://api.example.com/v1/x"
                """);
        assertThatThrownBy(() -> Upstreams.start(config, ToolRegistry.builtIns(config), defs -> { },
                Clock.systemUTC())).hasMessageContaining("tool name collision: http.fetch is both the built-in tool"
                + " http.fetch and http_tools entry http.fetch");
    }

    @Test
    void anMcpToolCollidingWithARestToolFailsTheStartNamingBoth() throws Exception {
        Path calls = dir.resolve("calls.log");
        Path description = dir.resolve("description.txt");
        Files.writeString(description, "Echoes its text.");
        GatewayConfig config = config("""
                http_tools:
                  - name: local.echo
                    url: "https://api.example.com/v1/echo"
                mcp:
                  servers:
                    - name: local
                      command: %s
                """.formatted(TestMcpServers.yamlList(TestMcpServers.stdioCommand(calls, description))));
        assertThatThrownBy(() -> Upstreams.start(config, ToolRegistry.builtIns(config), defs -> { },
                Clock.systemUTC())).hasMessageContaining("local.echo is both http_tools entry local.echo and tool"
                + " echo of mcp server local");
    }

    @Test
    void aServerThatIsDownDoesNotStopTheStartAndOwnsItsNames() throws Exception {
        GatewayConfig config = config("""
                mcp:
                  servers:
                    - name: gone
                      command: ["/nonexistent/mcp-server"]
                """);
        List<List<ToolDefinition>> published = new CopyOnWriteArrayList<>();
        try (Upstreams upstreams = Upstreams.start(config, ToolRegistry.builtIns(config), published::add,
                Clock.systemUTC())) {
            assertThat(upstreams.registry().find("gone.anything")).isPresent();
            assertThat(upstreams.registry().find("echo")).isPresent();
            assertThatThrownBy(() -> upstreams.registry().find("gone.anything").orElseThrow().execute(new ToolCall("r", "c",
                    JsonNodeFactory.instance.objectNode(), Instant.now().plusSeconds(5))))
                    .hasMessageContaining("upstream MCP server 'gone' is not connected");
            assertThat(published).isEmpty();
        }
    }

    @Test
    void refusesMalformedEntriesWithTheirPlace() throws Exception {
        assertThatThrownBy(() -> UpstreamSpecs.servers(config("""
                mcp:
                  servers:
                    - name: both
                      command: [x]
                      url: "http://127.0.0.1:1/mcp"
                """).mcpSection(), Secrets.from(Optional.empty())))
                .hasMessageContaining("mcp.servers[both] needs exactly one of command (stdio) and url");
        assertThatThrownBy(() -> UpstreamSpecs.httpTools(config("""
                http_tools:
                  - name: t.get
                    method: GET
                    url: "https://a.example/x"
                    body: args
                """).httpToolsSection(), Secrets.from(Optional.empty())))
                .hasMessageContaining("a GET has no body");
        assertThatThrownBy(() -> UpstreamSpecs.servers(config("""
                mcp:
                  servers:
                    - {name: a.b, command: [x]}
                """).mcpSection(), Secrets.from(Optional.empty())))
                .hasMessageContaining("mcp.servers[0].name must be");
    }

    @Test
    void theDefinitionDigestCoversNameDescriptionSchemaAndAnnotations() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        var schema = mapper.readTree("{\"type\":\"object\"}");
        String base = ToolDefinitions.sha256("s.t", "d", schema, null);
        assertThat(ToolDefinitions.sha256("s.t", "d", mapper.readTree("{\"type\": \"object\"}"), null))
                .isEqualTo(base);
        assertThat(ToolDefinitions.sha256("s.t", "d2", schema, null)).isNotEqualTo(base);
        assertThat(ToolDefinitions.sha256("s.u", "d", schema, null)).isNotEqualTo(base);
        assertThat(ToolDefinitions.sha256("s.t", "d", mapper.readTree("{\"type\":\"string\"}"), null))
                .isNotEqualTo(base);
        assertThat(ToolDefinitions.sha256("s.t", "d", schema, mapper.readTree("{\"readOnlyHint\":true}")))
                .isNotEqualTo(base);
    }
}

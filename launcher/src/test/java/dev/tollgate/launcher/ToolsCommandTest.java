package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.ToolDefinition;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyCompiler;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolsCommandTest {

    private static ToolDefinition def(String name, String schema, String annotations) {
        return ToolDefinition.newBuilder().setName(name).setSource("mcp:files/" + name.substring(6))
                .setDescription("Reads a file \"as text\".").setInputSchemaJson(schema).setAnnotationsJson(annotations)
                .setSha256("ab".repeat(32)).setGatewayId("g").setObservedAt(Instant.EPOCH).build();
    }

    @Test
    void importPrintsEntriesThatCompileClosesOpenSchemasAndSaysSo() throws Exception {
        Map<String, ToolDefinition> tools = new LinkedHashMap<>();
        tools.put("files.read_file", def("files.read_file",
                "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}},\"required\":[\"path\"]}",
                "{\"readOnlyHint\":true}"));
        tools.put("files.write_file", def("files.write_file",
                "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"path\":{\"type\":\"string\"}}}",
                null));
        String yaml = ToolsCommand.render("files", tools);

        assertThat(yaml).contains("    files.read_file:\n", "      risk: read", "      pin: \"" + "ab".repeat(32))
                .contains("closed here with additionalProperties: false")
                .contains("\"additionalProperties\":false");
        assertThat(yaml.split("closed here", -1)).hasSize(2);
        assertThat(yaml).contains("    files.write_file:\n", "      risk: write");

        String bundle = """
                apiVersion: tollgate.dev/v1
                kind: PolicyBundle
                metadata: {name: imported, version: "1"}
                spec:
                  tools:
                """ + yaml + """
                  runs:
                    - id: all
                      when: 'true'
                      grants: {tools: [files.read_file], maxToolCalls: 3, budget: {costMicros: 100}}
                """;
        CompiledBundle compiled = PolicyCompiler.compile(bundle);
        assertThat(compiled.tool("files.read_file")).hasValueSatisfying(t -> {
            assertThat(t.pin()).isEqualTo("ab".repeat(32));
            assertThat(t.risk()).isEqualTo("read");
            assertThat(t.validateArgs(new ObjectMapper().createObjectNode().put("path", "a").put("extra", 1)))
                    .isNotEmpty();
        });
    }
}

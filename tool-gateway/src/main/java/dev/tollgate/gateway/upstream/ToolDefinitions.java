package dev.tollgate.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.ToolDefinition;
import dev.tollgate.events.hash.CanonicalJson;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalog form of an upstream tool and its digest. The SHA-256 is taken over the canonical JSON of
 * {@code {"name", "description", "inputSchema", "annotations"}} (absent members as null), so a bundle's {@code pin}
 * changes exactly when what a reviewer read changes: the name, the description, the argument schema, or a hint.
 */
public final class ToolDefinitions {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ToolDefinitions() {
    }

    /** The digest a bundle pins. */
    public static String sha256(String name, String description, JsonNode inputSchema, JsonNode annotations) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("name", name);
        node.put("description", description);
        node.set("inputSchema", inputSchema == null ? JsonNodeFactory.instance.nullNode() : inputSchema);
        node.set("annotations", annotations == null ? JsonNodeFactory.instance.nullNode() : annotations);
        return CanonicalJson.sha256(CanonicalJson.write(node));
    }

    static ToolDefinition of(String server, McpSchema.Tool tool, String gatewayId, Instant observedAt) {
        String name = server + "." + tool.name();
        JsonNode schema = tool.inputSchema() == null ? JsonNodeFactory.instance.objectNode()
                : MAPPER.valueToTree(tool.inputSchema());
        JsonNode annotations = tool.annotations() == null ? null : MAPPER.valueToTree(tool.annotations());
        if (annotations != null && annotations.isObject()) {
            ((ObjectNode) annotations).remove(List.copyOf(fieldsWithNull(annotations)));
        }
        return ToolDefinition.newBuilder()
                .setName(name)
                .setSource("mcp:" + server + "/" + tool.name())
                .setDescription(tool.description())
                .setInputSchemaJson(CanonicalJson.write(schema))
                .setAnnotationsJson(annotations == null ? null : CanonicalJson.write(annotations))
                .setSha256(sha256(name, tool.description(), schema, annotations))
                .setGatewayId(gatewayId)
                .setObservedAt(observedAt)
                .build();
    }

    private static List<String> fieldsWithNull(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.properties().forEach(e -> {
            if (e.getValue().isNull()) {
                names.add(e.getKey());
            }
        });
        return names;
    }
}

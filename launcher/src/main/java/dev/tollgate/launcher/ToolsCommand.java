package dev.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.ToolDefinition;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyCompileException;
import dev.tollgate.policy.engine.PolicyCompiler;
import dev.tollgate.policy.engine.ToolSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate tools list|import SERVER}: the upstream tool catalog ({@code tollgate.tool-catalog.v1}, written by
 * the tool gateways) compared with the pins of the bundles in force ({@code tollgate.policies.v1}), and bundle
 * {@code tools:} entries generated from a server's catalog entries, ready to review and paste.
 */
@Command(name = "tools", mixinStandardHelpOptions = true, description = "The upstream tool catalog and pinning.",
        subcommands = {ToolsCommand.ListTools.class, ToolsCommand.Import.class})
public final class ToolsCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolsCommand() {
    }

    /** The latest definition of every tool on the catalog topic (deleted tools dropped). */
    static Map<String, ToolDefinition> catalog(ClusterOptions cluster) {
        TollgateSerdes serdes = cluster.serdes();
        Map<String, ToolDefinition> latest = new TreeMap<>();
        for (ConsumerRecord<String, ToolDefinition> r : TopicSnapshot.read(cluster, Topics.TOOL_CATALOG.name(),
                serdes.value(Topics.TOOL_CATALOG).deserializer())) {
            if (r.value() == null) {
                latest.remove(r.key());
            } else {
                latest.put(r.key(), r.value());
            }
        }
        return latest;
    }

    /** The latest valid version of every bundle on the policies topic, by bundle name. */
    static Map<String, CompiledBundle> bundles(ClusterOptions cluster) {
        TollgateSerdes serdes = cluster.serdes();
        Map<String, CompiledBundle> latest = new TreeMap<>();
        for (ConsumerRecord<String, PolicyBundle> r : TopicSnapshot.read(cluster, Topics.POLICIES.name(),
                serdes.value(Topics.POLICIES).deserializer())) {
            if (r.value() != null) {
                try {
                    latest.put(r.key(), PolicyCompiler.compile(r.value().getYaml()));
                } catch (PolicyCompileException e) {
                    // a refused bundle never comes into force
                }
            }
        }
        return latest;
    }

    /** {@code tollgate tools list}: one JSON object per catalog entry. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The upstream tools the gateways offer: name, source, sha256, whether a bundle in force"
                    + " pins it, and whether the upstream drifted from that pin.")
    static final class ListTools implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Map<String, ToolDefinition> catalog = catalog(cluster);
            Map<String, CompiledBundle> bundles = bundles(cluster);
            int drifted = 0;
            for (ToolDefinition def : catalog.values()) {
                ObjectNode row = JSON.createObjectNode()
                        .put("name", def.getName())
                        .put("source", def.getSource())
                        .put("sha256", def.getSha256());
                List<String> pinnedBy = new ArrayList<>();
                boolean drift = false;
                for (CompiledBundle bundle : bundles.values()) {
                    ToolSpec tool = bundle.tools().get(def.getName());
                    if (tool != null && tool.pin() != null) {
                        pinnedBy.add(bundle.name() + "@" + bundle.version());
                        drift |= !tool.pin().equals(def.getSha256());
                    }
                }
                row.put("pinned", !pinnedBy.isEmpty());
                row.set("pinnedBy", JSON.valueToTree(pinnedBy));
                row.put("drifted", drift);
                drifted += drift ? 1 : 0;
                out.println(row);
            }
            if (catalog.isEmpty()) {
                spec.commandLine().getErr().println("the tool catalog is empty: no gateway with upstream MCP servers"
                        + " has published to " + Topics.TOOL_CATALOG.name() + " yet");
            }
            return drifted == 0 ? 0 : 1;
        }
    }

    /** {@code tollgate tools import SERVER}: bundle {@code tools:} entries for a server's catalog entries. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Print ready-to-paste bundle tools: entries (with pins) for the tools of one upstream MCP"
                    + " server, from the catalog.")
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClusterOptions cluster;

        @Parameters(index = "0", paramLabel = "SERVER", description = "The server's name in the gateway config.")
        String server;

        @Override
        public Integer call() throws Exception {
            Map<String, ToolDefinition> tools = new LinkedHashMap<>();
            catalog(cluster).forEach((name, def) -> {
                if (def.getSource().startsWith("mcp:" + server + "/")) {
                    tools.put(name, def);
                }
            });
            if (tools.isEmpty()) {
                spec.commandLine().getErr().println("no tools of an MCP server named '" + server + "' in "
                        + Topics.TOOL_CATALOG.name() + "; is it in the gateway's mcp.servers and connected?");
                return 1;
            }
            spec.commandLine().getOut().print(render(server, tools));
            return 0;
        }
    }

    /** The YAML of the entries, indented to paste under {@code spec.tools:}. */
    static String render(String server, Map<String, ToolDefinition> tools) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append("# Bundle tools: entries for MCP server '").append(server)
                .append("', from tollgate.tool-catalog.v1.\n")
                .append("# Review each definition before you paste it under spec.tools: the pin is the SHA-256 of the")
                .append(" definition\n# you reviewed; if the upstream changes it, calls are refused with")
                .append(" TOOL_DEFINITION_CHANGED.\n")
                .append("# A tool stays denied (TOOL_UNKNOWN) until it is in the bundle and a rule allows it.\n");
        for (ToolDefinition def : tools.values()) {
            JsonNode schema = JSON.readTree(def.getInputSchemaJson());
            boolean closed = close(schema);
            JsonNode annotations = def.getAnnotationsJson() == null ? JSON.createObjectNode()
                    : JSON.readTree(def.getAnnotationsJson());
            boolean readOnly = annotations.path("readOnlyHint").asBoolean(false);
            out.append("    ").append(def.getName()).append(":\n");
            if (def.getDescription() != null) {
                out.append("      description: ").append(JSON.writeValueAsString(def.getDescription())).append('\n');
            }
            out.append("      risk: ").append(readOnly ? "read" : "write")
                    .append(readOnly ? "                     # the upstream says readOnlyHint: true\n"
                            : "                    # no readOnlyHint from the upstream\n");
            out.append("      costMicros: 0\n");
            out.append("      pin: \"").append(def.getSha256()).append("\"\n");
            if (closed) {
                out.append("      # The upstream's schema accepts unknown fields; closed here with additionalProperties:")
                        .append(" false.\n");
            }
            out.append("      args: ").append(JSON.writeValueAsString(schema)).append('\n');
        }
        return out.toString();
    }

    /** Adds {@code additionalProperties: false} to every open object schema; returns whether it changed any. */
    static boolean close(JsonNode schema) {
        if (!schema.isObject()) {
            return false;
        }
        ObjectNode node = (ObjectNode) schema;
        boolean changed = false;
        boolean objectSchema = "object".equals(node.path("type").asText()) || node.has("properties");
        if (objectSchema && !node.has("additionalProperties")) {
            node.put("additionalProperties", false);
            changed = true;
        }
        JsonNode properties = node.get("properties");
        if (properties != null && properties.isObject()) {
            for (JsonNode child : (Iterable<JsonNode>) properties::elements) {
                changed |= close(child);
            }
        }
        if (node.get("items") != null) {
            changed |= close(node.get("items"));
        }
        return changed;
    }
}

package dev.tollgate.intake.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyCompileException;
import dev.tollgate.policy.engine.PolicyCompiler;
import dev.tollgate.policy.engine.ToolSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tools of every policy bundle version published on {@code tollgate.policies.v1} (read from the beginning), by
 * the bundle's SHA-256 (which every ledger event names): each tool's description and its arguments' JSON Schema, as
 * MCP's {@code tools/list} shows them. A bundle that does not compile is skipped (the policy-processor refuses it
 * too).
 */
public final class ToolCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ToolCatalog.class);

    /** One tool as an MCP client sees it. */
    record Tool(String name, String description, JsonNode inputSchema) {
    }

    private final Deserializer<PolicyBundle> bundles;
    private final Map<String, Map<String, Tool>> bySha256 = new ConcurrentHashMap<>();

    public ToolCatalog(TollgateSerdes serdes) {
        this.bundles = serdes == null ? null : serdes.value(Topics.POLICIES).deserializer();
    }

    /** A catalog that is not fed from the topic (bundles only through {@link #add}). */
    public static ToolCatalog empty() {
        return new ToolCatalog(null);
    }

    /** Takes one record of {@code tollgate.policies.v1}. */
    public void handle(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() != null && bundles != null) {
            add(bundles.deserialize(record.topic(), record.value()));
        }
    }

    /** Adds one published bundle. */
    void add(PolicyBundle bundle) {
        if (bySha256.containsKey(bundle.getSha256())) {
            return;
        }
        CompiledBundle compiled;
        try {
            compiled = PolicyCompiler.compile(bundle.getYaml());
        } catch (PolicyCompileException | RuntimeException e) {
            LOG.warn("policy bundle {} {} does not compile; its tools are not listed over MCP", bundle.getName(),
                    bundle.getVersion());
            return;
        }
        Map<String, Tool> tools = new LinkedHashMap<>();
        for (ToolSpec spec : compiled.tools().values()) {
            tools.put(spec.name(), new Tool(spec.name(), spec.description(), spec.argsSchema()));
        }
        bySha256.put(compiled.sha256(), Map.copyOf(tools));
    }

    /** A tool of the bundle with this SHA-256, if the bundle is known and declares it. */
    Optional<Tool> tool(String bundleSha256, String name) {
        if (bundleSha256 == null) {
            return Optional.empty();
        }
        Map<String, Tool> tools = bySha256.get(bundleSha256);
        return tools == null ? Optional.empty() : Optional.ofNullable(tools.get(name));
    }
}

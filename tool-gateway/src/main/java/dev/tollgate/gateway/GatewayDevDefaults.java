package dev.tollgate.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The safe default configuration of {@code tollgate dev}: no egress, {@code fs.root}, {@code docs.root} and the
 * outbox under the data directory, and a couple of sample documents so that {@code search_docs} and
 * {@code read_repo} have something to find.
 */
public final class GatewayDevDefaults {

    private static final String CONFIG = "gateway-dev.yaml";
    private static final List<String> SAMPLE_DOCS = List.of("refunds.md", "escalation.md");

    private GatewayDevDefaults() {
    }

    /** The dev config for a stack whose data lives under {@code dataDir}; seeds the sample docs once. */
    public static GatewayConfig config(Path dataDir, String bootstrapServers, String schemaRegistryUrl) {
        return config(dataDir, bootstrapServers, schemaRegistryUrl, Map.of());
    }

    /** As above, with more settings (e.g. {@code http.port}) on top. */
    public static GatewayConfig config(Path dataDir, String bootstrapServers, String schemaRegistryUrl,
                                       Map<String, String> more) {
        Path gatewayDir = dataDir.resolve("gateway");
        try (InputStream yaml = GatewayDevDefaults.class.getResourceAsStream(CONFIG)) {
            if (yaml == null) {
                throw new IllegalStateException("resource " + CONFIG + " is missing");
            }
            Map<String, String> settings = new HashMap<>(more);
            settings.put(GatewayConfig.BOOTSTRAP_SERVERS.name(), bootstrapServers);
            settings.put(GatewayConfig.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
            settings.put(GatewayConfig.DATA_DIR.name(), gatewayDir.toString());
            settings.put(GatewayConfig.DISPATCH_KEYS.name(), dispatchKeysFile(dataDir).toString());
            GatewayConfig config = GatewayConfig.fromYaml(yaml, settings);
            seedDocs(config.docsRoot());
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the dev gateway config", e);
        }
    }

    /** Where {@code tollgate dev} keeps the dispatch keys the policy-processor and the gateway share. */
    public static Path dispatchKeysFile(Path dataDir) {
        return dataDir.resolve("secrets").resolve("dispatch-keys");
    }

    private static void seedDocs(Path docsRoot) throws IOException {
        if (Files.isDirectory(docsRoot)) {
            return;
        }
        Files.createDirectories(docsRoot);
        for (String doc : SAMPLE_DOCS) {
            try (InputStream in = GatewayDevDefaults.class.getResourceAsStream("dev-docs/" + doc)) {
                if (in != null) {
                    Files.copy(in, docsRoot.resolve(doc));
                }
            }
        }
    }
}

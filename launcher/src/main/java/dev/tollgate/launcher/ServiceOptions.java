package dev.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.events.config.ConfigDeclaration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every service command shares ({@code intake}, {@code policy-processor}, {@code projector},
 * {@code tool-gateway}), and how they make one config: a service's declared keys come, each later source winning,
 * from their defaults, {@code --config FILE} (Java properties, or YAML where nested maps are dotted keys),
 * {@code --client-config FILE} (Kafka client properties, as {@code kafka.*}), the environment
 * ({@code TOLLGATE_<KEY>}, e.g. {@code TOLLGATE_MAX_BODY_BYTES}), the command's own flags, then {@code --set}.
 */
public final class ServiceOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file: key=value properties, or YAML (nested maps are dotted keys).")
    Path configFile;

    @Option(names = "--client-config", paramLabel = "FILE", defaultValue = "${env:TOLLGATE_CLIENT_CONFIG}",
            description = "Kafka client properties (e.g. security.protocol, sasl.*, config.providers=env) merged into "
                    + "every Kafka client of the service (as kafka.* keys).")
    Path clientConfig;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (key bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            description = "Schema registry URL (key schema.registry.url).")
    String schemaRegistryUrl;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any config key of the service (see below).")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The service's config values from every source, for {@code declaration}; {@code flags} are the command's. */
    Map<String, String> values(ConfigDeclaration declaration, Map<String, String> flags, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        if (configFile != null) {
            values.putAll(load(configFile));
        }
        values.putAll(ClientConfigFile.load(clientConfig, ConfigDeclaration.KAFKA_PREFIX));
        values.putAll(declaration.fromEnvironment(env));
        if (bootstrapServers != null) {
            values.put("bootstrap.servers", bootstrapServers);
        }
        if (schemaRegistryUrl != null) {
            values.put("schema.registry.url", schemaRegistryUrl);
        }
        flags.forEach((name, value) -> {
            if (value != null) {
                values.put(name, value);
            }
        });
        values.putAll(settings);
        return values;
    }

    /** The keys of a config file: YAML when it ends in .yaml or .yml, Java properties otherwise. */
    static Map<String, String> load(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".yaml") && !name.endsWith(".yml")) {
            return ConfigDeclaration.fromFile(file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
            Map<String, String> flat = new LinkedHashMap<>();
            if (root != null && !root.isMissingNode() && !root.isNull()) {
                if (!root.isObject()) {
                    throw new IllegalArgumentException(file + ": a config file must be a YAML mapping");
                }
                flatten("", root, flat);
            }
            return flat;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the config file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), out));
        } else if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(item -> items.add(item.asText()));
            out.put(prefix, String.join(",", items));
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }
}

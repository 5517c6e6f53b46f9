package dev.tollgate.launcher;

import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.registry.SchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Option;

/**
 * The options every operator command shares: where Kafka and the schema registry are, and how to authenticate to
 * Kafka ({@code --client-config FILE}, merged into every Kafka client the command creates). Mix it into a command
 * with {@code @Mixin ClusterOptions cluster;}. Defaults are the {@code tollgate dev} stack, or the
 * {@code TOLLGATE_BOOTSTRAP_SERVERS}, {@code TOLLGATE_SCHEMA_REGISTRY_URL} and {@code TOLLGATE_CLIENT_CONFIG}
 * environment variables when set.
 */
public final class ClusterOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:TOLLGATE_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    private String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL",
            defaultValue = "${env:TOLLGATE_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
            description = "Schema registry URL (default: ${DEFAULT-VALUE}).")
    private String schemaRegistryUrl;

    @Option(names = "--client-config", paramLabel = "FILE", defaultValue = "${env:TOLLGATE_CLIENT_CONFIG}",
            description = "Kafka client properties (e.g. security.protocol, sasl.*, config.providers=env) merged into "
                    + "every Kafka client of the command.")
    private Path clientConfigFile;

    /** The Kafka bootstrap servers. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The schema registry's URL. */
    public String schemaRegistryUrl() {
        return schemaRegistryUrl;
    }

    /** The {@code --client-config} file, if one was given. */
    public Optional<Path> clientConfigFile() {
        return Optional.ofNullable(clientConfigFile);
    }

    /** Only the {@code --client-config} file's properties (empty without one). */
    public Map<String, Object> clientConfigFileProperties() {
        return new HashMap<>(ClientConfigFile.load(clientConfigFile));
    }

    /**
     * The client configs every Kafka client of a command starts from: the {@code --client-config} file's
     * properties, the bootstrap servers and a client id.
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(ClientConfigFile.load(clientConfigFile));
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "tollgate-cli");
        return config;
    }

    /** An Admin client that gives up after 15 s when Kafka cannot be reached; the caller closes it. */
    public Admin admin() {
        Map<String, Object> config = clientConfig();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(config);
    }

    /** A client of the schema registry. */
    public SchemaRegistryClient schemaRegistry() {
        return new RestSchemaRegistryClient(schemaRegistryUrl);
    }

    /** Serdes over {@link #schemaRegistry()}. */
    public TollgateSerdes serdes() {
        return new TollgateSerdes(schemaRegistry());
    }
}

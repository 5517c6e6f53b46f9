package dev.tollgate.launcher;

import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.registry.SchemaRegistryClient;
import dev.tollgate.events.registry.SchemaRegistryException;
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
 *
 * <p>Every command fails fast and by name when the cluster is not there: the first Kafka client configuration a
 * command asks for probes the cluster, and the first registry client probes the registry, each bounded by
 * {@link Unreachable#TIMEOUT}; see {@link Unreachable} for the message and the exit code.
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

    private SchemaRegistryClient registry;
    private boolean kafkaAnswered;

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

    /**
     * Only the {@code --client-config} file's properties (empty without one), for a Kafka client built elsewhere;
     * like {@link #clientConfig()}, fails with {@link Unreachable} first when Kafka does not answer.
     */
    public Map<String, Object> clientConfigFileProperties() {
        requireKafka();
        return new HashMap<>(ClientConfigFile.load(clientConfigFile));
    }

    /**
     * The client configs every Kafka client of a command starts from: the {@code --client-config} file's
     * properties, the bootstrap servers, a client id, and timeouts of about ten seconds (a request, a blocked send,
     * an API call, a connection set-up; the file may set others), so that a broker which goes away mid-command
     * fails it in seconds rather than after the clients' defaults of one to two minutes.
     */
    public Map<String, Object> clientConfig() {
        requireKafka();
        return baseConfig();
    }

    /** As {@link #clientConfig()}, without asking the cluster first. */
    Map<String, Object> baseConfig() {
        Map<String, Object> config = new HashMap<>(ClientConfigFile.load(clientConfigFile));
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "tollgate-cli");
        config.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.putIfAbsent(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        config.putIfAbsent(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 5_000L);
        config.putIfAbsent(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 5_000L);
        config.putIfAbsent("max.block.ms", 10_000);
        return config;
    }

    /**
     * Fails with {@link Unreachable} ({@code cannot reach Kafka at HOST:PORT (connection refused)}) unless the
     * cluster answers within {@link Unreachable#TIMEOUT}; asked once, before the command's first Kafka client is
     * configured ({@link #clientConfig()}, {@link #admin()}, {@link #clientConfigFileProperties()}).
     */
    public void requireKafka() {
        if (kafkaAnswered) {
            return;
        }
        Map<String, Object> config = baseConfig();
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, "tollgate-cli-probe");
        Unreachable.probeKafka(bootstrapServers, config);
        kafkaAnswered = true;
    }

    /** An Admin client that gives up after 15 s when Kafka cannot be reached; the caller closes it. */
    public Admin admin() {
        Map<String, Object> config = clientConfig();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(config);
    }

    /**
     * A client of the schema registry, which answered once when this was first called: a registry that cannot be
     * reached fails the command here with {@link Unreachable}, naming its URL, within {@link Unreachable#TIMEOUT}.
     */
    public SchemaRegistryClient schemaRegistry() {
        if (registry == null) {
            // Kafka first: every command that needs the registry needs Kafka too, and one address per failure.
            requireKafka();
            RestSchemaRegistryClient client;
            try {
                client = new RestSchemaRegistryClient(schemaRegistryUrl, Unreachable.TIMEOUT);
            } catch (IllegalArgumentException e) {
                throw Unreachable.registry(schemaRegistryUrl, "not a URL: " + Unreachable.rootMessage(e));
            }
            try {
                client.subjects();
            } catch (SchemaRegistryException e) {
                if (e.httpStatus() < 0) {
                    throw Unreachable.registry(schemaRegistryUrl, Unreachable.rootMessage(e));
                }
                // It answered (an error status): reachable; the command's own calls report what is wrong.
            }
            registry = client;
        }
        return registry;
    }

    /** Serdes over {@link #schemaRegistry()}. */
    public TollgateSerdes serdes() {
        return new TollgateSerdes(schemaRegistry());
    }
}

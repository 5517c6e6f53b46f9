package dev.tollgate.projector;

import dev.tollgate.events.config.ConfigDeclaration;
import dev.tollgate.events.config.ParsedConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The projector's configuration, immutable. Every key is declared once, in {@link #DECLARATION}, with its type,
 * default, validator and doc; values come from a {@code Map<String, String>} (the launcher merges a config file,
 * {@code TOLLGATE_<KEY>} environment variables and its flags, or a test). Keys under {@link #KAFKA_PREFIX}
 * ({@code kafka.security.protocol}, {@code kafka.sasl.jaas.config}, ...) pass through, without the prefix, to every
 * Kafka client of the projector (its Streams clients and the verify route's reader); their values are never printed.
 */
public final class ProjectorConfig {

    /** The Streams application id; a constant, because the stores and internal topics hang off it. */
    public static final String APPLICATION_ID = "tollgate-ledger-projector-v1";

    /** One declared key, by name; its type, default, validator and doc are in {@link #DECLARATION}. */
    public record Key(String name) {
    }

    public static final Key BOOTSTRAP_SERVERS = new Key("bootstrap.servers");
    public static final Key SCHEMA_REGISTRY_URL = new Key("schema.registry.url");
    public static final Key STATE_DIR = new Key("state.dir");
    public static final Key HTTP_HOST = new Key("http.host");
    public static final Key HTTP_PORT = new Key("http.port");
    public static final Key APPLICATION_SERVER = new Key("application.server");
    public static final Key APPLICATION_ID_OVERRIDE = new Key("application.id");
    public static final Key COMMIT_INTERVAL_MS = new Key("commit.interval.ms");
    public static final Key NUM_STREAM_THREADS = new Key("num.stream.threads");
    public static final Key FORWARD_TIMEOUT_MS = new Key("forward.timeout.ms");

    /** Every key of the projector, declared once. */
    public static final ConfigDeclaration DECLARATION = new ConfigDeclaration("projector")
            .define(BOOTSTRAP_SERVERS.name(), Type.STRING, "localhost:9092", new ConfigDef.NonEmptyString(),
                    "Kafka bootstrap servers.")
            .define(SCHEMA_REGISTRY_URL.name(), Type.STRING, "http://localhost:8081", new ConfigDef.NonEmptyString(),
                    "Base URL of a registry speaking the Confluent Schema Registry REST API.")
            .define(STATE_DIR.name(), Type.STRING, null, null,
                    "Directory of the RocksDB state stores; unset: <java.io.tmpdir>/tollgate-projector.")
            .define(HTTP_HOST.name(), Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(),
                    "Interface the query API listens on.")
            .define(HTTP_PORT.name(), Type.INT, 8082, Range.between(0, 65535),
                    "Port of the query API; 0 picks a free one.")
            .define(APPLICATION_SERVER.name(), Type.STRING, null, ConfigDef.LambdaValidator.with((name, value) -> {
                if (value != null) {
                    checkHostPort((String) value);
                }
            }, () -> "host:port"),
                    "host:port other instances use to reach this one's query API; defaults to localhost:<http.port>. "
                            + "With http.port=0 it is set from the port actually bound.")
            .define(APPLICATION_ID_OVERRIDE.name(), Type.STRING, APPLICATION_ID, new ConfigDef.NonEmptyString(),
                    "Streams application id. Only a rebuild (a fresh projection from the beginning) changes it.")
            .define(COMMIT_INTERVAL_MS.name(), Type.INT, 100, Range.atLeast(1),
                    "How often Streams commits (with exactly_once_v2: how often a transaction ends).")
            .define(NUM_STREAM_THREADS.name(), Type.INT, 1, Range.between(1, 64), "Stream threads per instance.")
            .define(FORWARD_TIMEOUT_MS.name(), Type.INT, 5000, Range.atLeast(1),
                    "Timeout of a query forwarded to the instance that owns the key.");

    /** Prefix of the keys passed through to the Kafka clients, e.g. {@code kafka.security.protocol}. */
    public static final String KAFKA_PREFIX = ConfigDeclaration.KAFKA_PREFIX;

    private final ParsedConfig parsed;

    private ProjectorConfig(ParsedConfig parsed) {
        this.parsed = parsed;
    }

    /** A config from {@code values}; unknown keys are refused so a typo is not silently ignored. */
    public static ProjectorConfig of(Map<String, String> values) {
        try {
            return new ProjectorConfig(DECLARATION.parse(values));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid projector config: " + e.getMessage(), e);
        }
    }

    /** A copy with {@code name} set to {@code value}. */
    public ProjectorConfig with(String name, String value) {
        Map<String, String> copy = new HashMap<>(parsed.given());
        copy.put(name, value);
        return of(copy);
    }

    public String bootstrapServers() {
        return parsed.getString(BOOTSTRAP_SERVERS.name());
    }

    /** The pass-through Kafka client settings: every {@code kafka.*} key, without its prefix. */
    public Map<String, String> kafkaClientConfig() {
        return new TreeMap<>(parsed.kafkaClientConfig());
    }

    public String schemaRegistryUrl() {
        return parsed.getString(SCHEMA_REGISTRY_URL.name());
    }

    public String stateDir() {
        String dir = parsed.getString(STATE_DIR.name());
        return dir != null ? dir : System.getProperty("java.io.tmpdir") + "/tollgate-projector";
    }

    public String httpHost() {
        return parsed.getString(HTTP_HOST.name());
    }

    public int httpPort() {
        return parsed.getInt(HTTP_PORT.name());
    }

    public Optional<String> applicationServer() {
        return Optional.ofNullable(parsed.getString(APPLICATION_SERVER.name()));
    }

    public String applicationId() {
        return parsed.getString(APPLICATION_ID_OVERRIDE.name());
    }

    public long commitIntervalMs() {
        return parsed.getInt(COMMIT_INTERVAL_MS.name());
    }

    public int numStreamThreads() {
        return parsed.getInt(NUM_STREAM_THREADS.name());
    }

    public long forwardTimeoutMs() {
        return parsed.getInt(FORWARD_TIMEOUT_MS.name());
    }

    /** The application id of a rebuild started at {@code epochMillis}. */
    public static String rebuildApplicationId(long epochMillis) {
        return APPLICATION_ID + "-rebuild-" + epochMillis;
    }

    private static void checkHostPort(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new ConfigException("application.server must be host:port, was " + hostPort);
        }
        try {
            Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException("application.server must be host:port, was " + hostPort);
        }
    }

    @Override
    public String toString() {
        // Pass-through client settings can hold credentials (sasl.jaas.config): their names only.
        return "ProjectorConfig" + parsed;
    }
}

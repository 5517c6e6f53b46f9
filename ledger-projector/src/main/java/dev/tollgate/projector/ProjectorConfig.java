package dev.tollgate.projector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The projector's configuration, immutable. Every key is declared once below, with its default and its doc; values
 * come from a {@code Map<String, String>} (the launcher's flags, or a test). Keys under {@link #KAFKA_PREFIX}
 * ({@code kafka.security.protocol}, {@code kafka.sasl.jaas.config}, ...) pass through, without the prefix, to every
 * Kafka client of the projector (its Streams clients and the verify route's reader); their values are never printed.
 */
public final class ProjectorConfig {

    /** The Streams application id; a constant, because the stores and internal topics hang off it. */
    public static final String APPLICATION_ID = "tollgate-ledger-projector-v1";

    /** One declared key: name, default ({@code null} = required or absent) and doc. */
    public record Key(String name, String defaultValue, String doc) {
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    public static final Key BOOTSTRAP_SERVERS = key("bootstrap.servers", "localhost:9092",
            "Kafka bootstrap servers.");
    public static final Key SCHEMA_REGISTRY_URL = key("schema.registry.url", "http://localhost:8081",
            "Base URL of a registry speaking the Confluent Schema Registry REST API.");
    public static final Key STATE_DIR = key("state.dir", System.getProperty("java.io.tmpdir") + "/tollgate-projector",
            "Directory of the RocksDB state stores.");
    public static final Key HTTP_HOST = key("http.host", "0.0.0.0", "Interface the query API listens on.");
    public static final Key HTTP_PORT = key("http.port", "8082", "Port of the query API; 0 picks a free one.");
    public static final Key APPLICATION_SERVER = key("application.server", null,
            "host:port other instances use to reach this one's query API; defaults to localhost:<http.port>. "
                    + "With http.port=0 it is set from the port actually bound.");
    public static final Key APPLICATION_ID_OVERRIDE = key("application.id", APPLICATION_ID,
            "Streams application id. Only a rebuild (a fresh projection from the beginning) changes it.");
    public static final Key COMMIT_INTERVAL_MS = key("commit.interval.ms", "100",
            "How often Streams commits (with exactly_once_v2: how often a transaction ends).");
    public static final Key NUM_STREAM_THREADS = key("num.stream.threads", "1", "Stream threads per instance.");
    public static final Key FORWARD_TIMEOUT_MS = key("forward.timeout.ms", "5000",
            "Timeout of a query forwarded to the instance that owns the key.");

    /** Prefix of the keys passed through to the Kafka clients, e.g. {@code kafka.security.protocol}. */
    public static final String KAFKA_PREFIX = "kafka.";

    private final Map<String, String> values;

    private ProjectorConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** A config from {@code values}; unknown keys are refused so a typo is not silently ignored. */
    public static ProjectorConfig of(Map<String, String> values) {
        List<String> unknown = new ArrayList<>();
        for (String name : values.keySet()) {
            if (!KEYS.containsKey(name) && !(name.startsWith(KAFKA_PREFIX) && name.length() > KAFKA_PREFIX.length())) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown projector config keys " + unknown + "; known: "
                    + KEYS.keySet());
        }
        Map<String, String> merged = new HashMap<>();
        KEYS.values().forEach(k -> {
            if (k.defaultValue() != null) {
                merged.put(k.name(), k.defaultValue());
            }
        });
        values.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
            }
        });
        ProjectorConfig config = new ProjectorConfig(merged);
        config.httpPort();
        config.commitIntervalMs();
        config.numStreamThreads();
        config.forwardTimeoutMs();
        config.applicationServer().ifPresent(ProjectorConfig::checkHostPort);
        return config;
    }

    /** Every declared key, for help texts. */
    public static List<Key> keys() {
        return List.copyOf(KEYS.values());
    }

    /** A copy with {@code name} set to {@code value}. */
    public ProjectorConfig with(String name, String value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(name, value);
        return of(copy);
    }

    public String bootstrapServers() {
        return values.get(BOOTSTRAP_SERVERS.name());
    }

    /** The pass-through Kafka client settings: every {@code kafka.*} key, without its prefix. */
    public Map<String, String> kafkaClientConfig() {
        Map<String, String> client = new TreeMap<>();
        values.forEach((name, value) -> {
            if (name.startsWith(KAFKA_PREFIX)) {
                client.put(name.substring(KAFKA_PREFIX.length()), value);
            }
        });
        return client;
    }

    public String schemaRegistryUrl() {
        return values.get(SCHEMA_REGISTRY_URL.name());
    }

    public String stateDir() {
        return values.get(STATE_DIR.name());
    }

    public String httpHost() {
        return values.get(HTTP_HOST.name());
    }

    public int httpPort() {
        return intValue(HTTP_PORT, 0, 65535);
    }

    public Optional<String> applicationServer() {
        return Optional.ofNullable(values.get(APPLICATION_SERVER.name()));
    }

    public String applicationId() {
        return values.get(APPLICATION_ID_OVERRIDE.name());
    }

    public long commitIntervalMs() {
        return intValue(COMMIT_INTERVAL_MS, 1, Integer.MAX_VALUE);
    }

    public int numStreamThreads() {
        return intValue(NUM_STREAM_THREADS, 1, 64);
    }

    public long forwardTimeoutMs() {
        return intValue(FORWARD_TIMEOUT_MS, 1, Integer.MAX_VALUE);
    }

    /** The application id of a rebuild started at {@code epochMillis}. */
    public static String rebuildApplicationId(long epochMillis) {
        return APPLICATION_ID + "-rebuild-" + epochMillis;
    }

    private int intValue(Key key, int min, int max) {
        String raw = values.get(key.name());
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                throw new IllegalArgumentException(key.name() + " must be in [" + min + ", " + max + "], was " + raw);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key.name() + " must be an integer, was " + raw, e);
        }
    }

    private static void checkHostPort(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("application.server must be host:port, was " + hostPort);
        }
        Integer.parseInt(hostPort.substring(colon + 1));
    }

    private static Key key(String name, String defaultValue, String doc) {
        Key key = new Key(name, defaultValue, doc);
        KEYS.put(name, key);
        return key;
    }

    @Override
    public String toString() {
        // Pass-through client settings can hold credentials (sasl.jaas.config): their names only.
        Map<String, String> printable = new TreeMap<>(values);
        printable.replaceAll((name, value) -> name.startsWith(KAFKA_PREFIX) ? "(hidden)" : value);
        return "ProjectorConfig" + printable;
    }
}

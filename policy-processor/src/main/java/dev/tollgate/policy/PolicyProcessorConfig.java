package dev.tollgate.policy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The policy-processor's configuration, immutable. Every key is declared once below with its default and doc;
 * {@link #from(Map)} rejects keys it does not know, except {@code streams.*} which pass through to Kafka Streams.
 */
public final class PolicyProcessorConfig {

    /** The Kafka Streams application id: a constant, since renaming it orphans every store and internal topic. */
    public static final String APPLICATION_ID = "tollgate-policy-processor-v1";

    /**
     * A configuration key.
     *
     * @param name         the key
     * @param defaultValue its default
     * @param doc          what it does
     */
    public record Key(String name, String defaultValue, String doc) {
    }

    public static final Key BOOTSTRAP_SERVERS = new Key("bootstrap.servers", "localhost:9092",
            "Kafka bootstrap servers.");
    public static final Key SCHEMA_REGISTRY_URL = new Key("schema.registry.url", "http://localhost:8081",
            "Schema registry speaking the Confluent REST API.");
    public static final Key STATE_DIR = new Key("state.dir",
            Path.of(System.getProperty("java.io.tmpdir"), "tollgate", "policy-processor").toString(),
            "Directory of the RocksDB stores.");
    public static final Key COMMIT_INTERVAL_MS = new Key("commit.interval.ms", "20",
            "Exactly-once commit interval: the latency floor of a decision.");
    public static final Key POLICY_BUNDLE = new Key("policy.bundle", "default",
            "Name of the policy bundle (key on tollgate.policies.v1) that decides.");
    public static final Key HTTP_PORT = new Key("http.port", "0", "Port of GET /health; 0 serves no HTTP.");
    public static final Key APPLICATION_ID_OVERRIDE = new Key("application.id", APPLICATION_ID,
            "Streams application id. Only tests change it (one id per test on a shared broker).");
    public static final Key STREAM_THREADS = new Key("num.stream.threads", "1", "Stream threads.");
    public static final Key CREATE_TOPICS = new Key("create.topics", "true",
            "Create the topics the processor reads and writes when they are missing.");

    public static final Key TIMERS_INTERVAL_MS = new Key("timers.interval.ms", "200",
            "Wall-clock interval of the timer scan: approvals that expired, runs under an engaged kill switch or a "
                    + "disabled identity. Bounds how late a run is halted when it sends nothing.");
    public static final Key APPROVAL_EXPIRY_GRACE_MS = new Key("approval.expiry.grace.ms", "1000",
            "How long after a held call's expiresAt (wall clock) the timer scan records ApprovalExpired, so a decision "
                    + "issued just before the expiry but still in flight is decided as a replay would decide it.");
    public static final Key ARTIFACT_MAX_BYTES = new Key("artifacts.max.bytes", "262144",
            "Largest artifact content accepted, in UTF-8 bytes (ARTIFACT_TOO_LARGE above).");

    public static final List<Key> KEYS = List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, STATE_DIR,
            COMMIT_INTERVAL_MS, POLICY_BUNDLE, HTTP_PORT, APPLICATION_ID_OVERRIDE, STREAM_THREADS, CREATE_TOPICS,
            TIMERS_INTERVAL_MS, APPROVAL_EXPIRY_GRACE_MS, ARTIFACT_MAX_BYTES);

    private static final String STREAMS_PREFIX = "streams.";

    private final Map<String, String> values;

    private PolicyProcessorConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static PolicyProcessorConfig defaults() {
        return from(Map.of());
    }

    public static PolicyProcessorConfig from(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        KEYS.forEach(key -> values.put(key.name(), key.defaultValue()));
        given.forEach((name, value) -> {
            if (KEYS.stream().noneMatch(k -> k.name().equals(name)) && !name.startsWith(STREAMS_PREFIX)) {
                throw new IllegalArgumentException("unknown policy-processor config key " + name);
            }
            values.put(name, value);
        });
        PolicyProcessorConfig config = new PolicyProcessorConfig(values);
        if (config.commitIntervalMs() < 0 || config.httpPort() < 0 || config.streamThreads() < 1
                || config.timersIntervalMs() < 1 || config.approvalExpiryGraceMs() < 0
                || config.artifactMaxBytes() < 1) {
            throw new IllegalArgumentException("invalid policy-processor config " + given);
        }
        return config;
    }

    public String get(Key key) {
        return values.get(key.name());
    }

    public String bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return get(SCHEMA_REGISTRY_URL);
    }

    public String stateDir() {
        return get(STATE_DIR);
    }

    public long commitIntervalMs() {
        return Long.parseLong(get(COMMIT_INTERVAL_MS));
    }

    public String policyBundle() {
        return get(POLICY_BUNDLE);
    }

    public int httpPort() {
        return Integer.parseInt(get(HTTP_PORT));
    }

    public String applicationId() {
        return get(APPLICATION_ID_OVERRIDE);
    }

    public int streamThreads() {
        return Integer.parseInt(get(STREAM_THREADS));
    }

    public long timersIntervalMs() {
        return Long.parseLong(get(TIMERS_INTERVAL_MS));
    }

    public long approvalExpiryGraceMs() {
        return Long.parseLong(get(APPROVAL_EXPIRY_GRACE_MS));
    }

    public long artifactMaxBytes() {
        return Long.parseLong(get(ARTIFACT_MAX_BYTES));
    }

    public boolean createTopics() {
        return Boolean.parseBoolean(get(CREATE_TOPICS));
    }

    /** Kafka Streams properties: exactly_once_v2, the commit interval, DLQ handlers, no default serdes. */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitIntervalMs()));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(streamThreads()));
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                dev.tollgate.events.dlq.DlqDeserializationExceptionHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                dev.tollgate.events.dlq.DlqProcessingExceptionHandler.class.getName());
        // The global stores (identities, policies, kill switches) dead-letter their failures too.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        values.forEach((name, value) -> {
            if (name.startsWith(STREAMS_PREFIX)) {
                props.put(name.substring(STREAMS_PREFIX.length()), value);
            }
        });
        return props;
    }
}

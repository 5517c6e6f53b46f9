package dev.tollgate.policy;

import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.config.ConfigDeclaration;
import dev.tollgate.events.config.ParsedConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The policy-processor's configuration, immutable. Every key is declared once, in {@link #DECLARATION}, with its
 * type, default, validator and doc; {@link #from(Map)} rejects keys it does not know, except {@code kafka.*} which
 * pass through to Kafka Streams and its admin client ({@code streams.*}, the old spelling, is still read as
 * {@code kafka.*}).
 */
public final class PolicyProcessorConfig {

    /** The Kafka Streams application id: a constant, since renaming it orphans every store and internal topic. */
    public static final String APPLICATION_ID = "tollgate-policy-processor-v1";

    /** A configuration key, by name; its type, default, validator and doc are in {@link #DECLARATION}. */
    public record Key(String name) {
    }

    public static final Key BOOTSTRAP_SERVERS = new Key("bootstrap.servers");
    public static final Key SCHEMA_REGISTRY_URL = new Key("schema.registry.url");
    public static final Key STATE_DIR = new Key("state.dir");
    public static final Key COMMIT_INTERVAL_MS = new Key("commit.interval.ms");
    public static final Key POLICY_BUNDLE = new Key("policy.bundle");
    public static final Key HTTP_PORT = new Key("http.port");
    public static final Key APPLICATION_ID_OVERRIDE = new Key("application.id");
    public static final Key STREAM_THREADS = new Key("num.stream.threads");
    public static final Key CREATE_TOPICS = new Key("create.topics");
    public static final Key TIMERS_INTERVAL_MS = new Key("timers.interval.ms");
    public static final Key APPROVAL_EXPIRY_GRACE_MS = new Key("approval.expiry.grace.ms");
    public static final Key ARTIFACT_MAX_BYTES = new Key("artifacts.max.bytes");
    public static final Key COMMAND_KEYS_FILE = new Key("command.keys.file");
    public static final Key DISPATCH_KEYS_FILE = new Key("dispatch.keys.file");
    public static final Key COMMAND_MAX_SKEW_MS = new Key("command.max.skew.ms");
    public static final Key COMMAND_IDENTITY_WAIT_MS = new Key("command.identity.wait.ms");

    /** Every key of the policy-processor, declared once. */
    public static final ConfigDeclaration DECLARATION = new ConfigDeclaration("policy-processor")
            .define(BOOTSTRAP_SERVERS.name(), Type.STRING, "localhost:9092", new ConfigDef.NonEmptyString(),
                    "Kafka bootstrap servers.")
            .define(SCHEMA_REGISTRY_URL.name(), Type.STRING, "http://localhost:8081", new ConfigDef.NonEmptyString(),
                    "Schema registry speaking the Confluent REST API.")
            .define(STATE_DIR.name(), Type.STRING, null, null,
                    "Directory of the RocksDB stores; unset: <java.io.tmpdir>/tollgate/policy-processor.")
            .define(COMMIT_INTERVAL_MS.name(), Type.LONG, 10L, Range.atLeast(0),
                    "Exactly-once commit interval: the latency floor of a decision.")
            .define(POLICY_BUNDLE.name(), Type.STRING, "default", new ConfigDef.NonEmptyString(),
                    "Name of the policy bundle (key on tollgate.policies.v1) that decides.")
            .define(HTTP_PORT.name(), Type.INT, 0, Range.between(0, 65535),
                    "Port of /health/live, /health/ready and /metrics; 0 serves no HTTP.")
            .define(APPLICATION_ID_OVERRIDE.name(), Type.STRING, APPLICATION_ID, new ConfigDef.NonEmptyString(),
                    "Streams application id. Only tests change it (one id per test on a shared broker).")
            .define(STREAM_THREADS.name(), Type.INT, 1, Range.between(1, 64), "Stream threads.")
            .define(CREATE_TOPICS.name(), Type.BOOLEAN, true, null,
                    "Create the topics the processor reads and writes when they are missing.")
            .define(TIMERS_INTERVAL_MS.name(), Type.LONG, 200L, Range.atLeast(1),
                    "Wall-clock interval of the timer scan: approvals that expired, runs under an engaged kill switch "
                            + "or a disabled identity. Bounds how late a run is halted when it sends nothing.")
            .define(APPROVAL_EXPIRY_GRACE_MS.name(), Type.LONG, 1000L, Range.atLeast(0),
                    "How long after a held call's expiresAt (wall clock) the timer scan records ApprovalExpired, so a "
                            + "decision issued just before the expiry but still in flight is decided as a replay "
                            + "would decide it.")
            .define(ARTIFACT_MAX_BYTES.name(), Type.LONG, 262_144L, Range.atLeast(1),
                    "Largest artifact content accepted, in UTF-8 bytes (ARTIFACT_TOO_LARGE above).")
            .define(COMMAND_KEYS_FILE.name(), Type.STRING, "", null,
                    "File of the intake service keys (keyId=base64 lines; shared with intake, never logged): commands "
                            + "with an hmac-sha256 proof by one of them are intake's, on behalf of the principal it "
                            + "authenticated. Empty: only commands signed by their principal's own Ed25519 key are "
                            + "accepted.")
            .define(DISPATCH_KEYS_FILE.name(), Type.STRING, "", null,
                    "File of the dispatch keys (keyId=base64 lines; shared with the tool gateway): the first one signs "
                            + "every dispatch. Empty: a random key held in memory, which no gateway accepts.")
            .define(COMMAND_MAX_SKEW_MS.name(), Type.LONG, 300_000L, Range.atLeast(0),
                    "Largest distance between a command's issuedAt and its record's timestamp (CLOCK_SKEW above). A "
                            + "replayed batch of old commands needs a skew that covers its age.")
            .define(COMMAND_IDENTITY_WAIT_MS.name(), Type.LONG, 5_000L, Range.between(0, 8_000),
                    "How long a command that intake attested (a verified service MAC) waits for its principal to "
                            + "reach this processor's copy of tollgate.identities.v1 before it is refused with "
                            + "IDENTITY_UNKNOWN: an identity created a moment before its first command can arrive "
                            + "after it. 0: never wait; at most 8000, below the Streams transaction timeout.")
            .alias("streams.", ConfigDeclaration.KAFKA_PREFIX);

    private final ParsedConfig parsed;

    private PolicyProcessorConfig(ParsedConfig parsed) {
        this.parsed = parsed;
    }

    public static PolicyProcessorConfig defaults() {
        return from(Map.of());
    }

    public static PolicyProcessorConfig from(Map<String, String> given) {
        try {
            return new PolicyProcessorConfig(DECLARATION.parse(given));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid policy-processor config: " + e.getMessage(), e);
        }
    }

    public String get(Key key) {
        return parsed.text(key.name());
    }

    public String bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return get(SCHEMA_REGISTRY_URL);
    }

    public String stateDir() {
        String dir = get(STATE_DIR);
        return dir != null ? dir
                : Path.of(System.getProperty("java.io.tmpdir"), "tollgate", "policy-processor").toString();
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

    public Duration commandIdentityWait() {
        return Duration.ofMillis(Long.parseLong(get(COMMAND_IDENTITY_WAIT_MS)));
    }

    public Duration commandMaxSkew() {
        return Duration.ofMillis(Long.parseLong(get(COMMAND_MAX_SKEW_MS)));
    }

    /** The intake service ring, read from {@link #COMMAND_KEYS_FILE}; null when none is configured. */
    public KeyRing commandKeys() {
        String file = get(COMMAND_KEYS_FILE);
        return file == null || file.isBlank() ? null : KeyRing.load(Path.of(file));
    }

    /** The dispatch ring, read from {@link #DISPATCH_KEYS_FILE}; a random one when none is configured. */
    public KeyRing dispatchKeys() {
        String file = get(DISPATCH_KEYS_FILE);
        return file == null || file.isBlank() ? KeyRing.random() : KeyRing.load(Path.of(file));
    }

    public boolean createTopics() {
        return Boolean.parseBoolean(get(CREATE_TOPICS));
    }

    /** The pass-through Kafka client settings: every {@code kafka.*} (or {@code streams.*}) key, without it. */
    public Map<String, String> kafkaClientConfig() {
        return parsed.kafkaClientConfig();
    }

    @Override
    public String toString() {
        return "PolicyProcessorConfig" + parsed;
    }

    /**
     * The stream threads' poll timeout for a commit interval: a quarter of it, between 1 ms and Streams' own default
     * of 100 ms. A {@code kafka.poll.ms} setting wins.
     */
    public static long pollMs(long commitIntervalMs) {
        return Math.max(1, Math.min(100, commitIntervalMs / 4));
    }

    /** The stream threads' producer linger for a commit interval: the poll timeout, at most 5 ms. */
    public static long producerLingerMs(long commitIntervalMs) {
        return Math.min(5, pollMs(commitIntervalMs));
    }

    /**
     * Kafka Streams properties: exactly_once_v2, the commit interval and a poll timeout that lets a commit happen
     * on time (see {@link #pollMs}), DLQ handlers, no default serdes.
     */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitIntervalMs()));
        // A stream thread commits only between polls, and an idle poll blocks for poll.ms (Streams' default 100 ms):
        // a decision taken just after a commit would wait up to 100 ms for a poll to return before its transaction
        // commits, whatever the commit interval. Polling at a quarter of the interval keeps that wait small.
        props.put(StreamsConfig.POLL_MS_CONFIG, Long.toString(pollMs(commitIntervalMs())));
        // Streams lets its producer linger 100 ms, longer than the commit interval: every decision would then be
        // sent only by the commit's flush, one more round trip before the transaction can end. Sending within the
        // poll timeout overlaps that round trip with the wait for the commit; the transaction is the same.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
                Long.toString(producerLingerMs(commitIntervalMs())));
        // A decide-run task reads two partitions (commands, tool results) and joins nothing by time, so it need not
        // wait to learn whether an empty one is behind: with the default (0) Streams checks that for every record
        // and formats log text while doing so (about a tenth of the stream thread's CPU in a profile of the governed
        // maximum, docs/benchmarks.md). A record is taken from whichever partition has one, as before.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(streamThreads()));
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                dev.tollgate.events.dlq.DlqDeserializationExceptionHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                dev.tollgate.events.dlq.DlqProcessingExceptionHandler.class.getName());
        // The global stores (identities, policies, kill switches) dead-letter their failures too.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.putAll(parsed.kafkaClientConfig());
        return props;
    }
}

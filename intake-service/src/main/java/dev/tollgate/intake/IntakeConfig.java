package dev.tollgate.intake;

import dev.tollgate.events.config.ConfigDeclaration;
import dev.tollgate.events.config.ParsedConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The immutable configuration of the intake-service. Every key is declared once, in {@link #DECLARATION}, with its
 * type, default, validator and doc; a config is built from a {@code Map<String, String>} (the launcher merges a
 * config file, {@code TOLLGATE_<KEY>} environment variables and command-line options into one) and rejects unknown
 * keys and invalid values. {@code kafka.*} keys pass through to every Kafka client of intake.
 */
public final class IntakeConfig {

    /** One configuration key, by name; its type, default, validator and doc are in {@link #DECLARATION}. */
    public record Key(String name) {
    }

    public static final Key BOOTSTRAP_SERVERS = new Key("bootstrap.servers");
    public static final Key SCHEMA_REGISTRY_URL = new Key("schema.registry.url");
    public static final Key HTTP_HOST = new Key("http.host");
    public static final Key HTTP_PORT = new Key("http.port");
    public static final Key ADMIN_KEY = new Key("admin.key");
    public static final Key MAX_BODY_BYTES = new Key("max.body.bytes");
    public static final Key MAX_WAIT_MS = new Key("max.wait.ms");
    public static final Key MAX_WAITERS = new Key("max.waiters");
    public static final Key RATE_LIMIT_PER_SECOND = new Key("rate.limit.per.second");
    public static final Key RATE_LIMIT_BURST = new Key("rate.limit.burst");
    public static final Key PRODUCE_TIMEOUT_MS = new Key("produce.timeout.ms");
    public static final Key INDEX_MAX_ENTRIES = new Key("index.max.entries");
    public static final Key LEDGER_RECENT_RECORDS = new Key("ledger.recent.records");
    public static final Key PROJECTOR_URL = new Key("projector.url");
    public static final Key PROJECTOR_TIMEOUT_MS = new Key("projector.timeout.ms");
    public static final Key CREATE_TOPICS = new Key("create.topics");
    public static final Key CONSOLE_QUERY_URL = new Key("console.query.url");
    public static final Key CONSOLE_SESSION_MINUTES = new Key("console.session.minutes");
    public static final Key MCP_ALLOWED_ORIGINS = new Key("mcp.allowed.origins");
    public static final Key MCP_HOLD_WAIT = new Key("mcp.hold.wait");
    public static final Key MCP_ADMISSION_WAIT = new Key("mcp.admission.wait");
    public static final Key COMMAND_KEYS_FILE = new Key("command.keys.file");

    /** Every key of intake, declared once. */
    public static final ConfigDeclaration DECLARATION = new ConfigDeclaration("intake")
            .define(BOOTSTRAP_SERVERS.name(), Type.STRING, "localhost:9092", new ConfigDef.NonEmptyString(),
                    "Kafka bootstrap servers.")
            .define(SCHEMA_REGISTRY_URL.name(), Type.STRING, "http://localhost:8081", new ConfigDef.NonEmptyString(),
                    "URL of a registry speaking the Confluent Schema Registry REST API.")
            .define(HTTP_HOST.name(), Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(),
                    "Interface the HTTP server binds.")
            .define(HTTP_PORT.name(), Type.INT, 8080, Range.between(0, 65535), "HTTP port; 0 picks a free port.")
            .define(ADMIN_KEY.name(), Type.PASSWORD, null, ConfigDef.LambdaValidator.with((name, value) -> {
                if (value != null && !validAdminKey(((Password) value).value())) {
                    throw new ConfigException(name, value, "must start with tg_ and be at least 20 characters");
                }
            }, () -> "tg_..., at least 20 characters"),
                    "Bootstrap admin API key. When set, identity bootstrap-admin is upserted at start. Never printed.")
            .define(MAX_BODY_BYTES.name(), Type.LONG, 1024L * 1024, Range.between(1, 64L << 20),
                    "Largest accepted request body; larger bodies answer 413 BODY_TOO_LARGE.")
            .define(MAX_WAIT_MS.name(), Type.LONG, 30_000L, Range.between(0, 600_000),
                    "Upper bound of ?waitMs on tool calls.")
            .define(MAX_WAITERS.name(), Type.INT, 10_000, Range.between(1, 1_000_000),
                    "Most tool calls waited on at once; beyond it a waitMs request answers 202 at once.")
            .define(RATE_LIMIT_PER_SECOND.name(), Type.LONG, 100L, Range.between(1, 1_000_000),
                    "Sustained requests per second per principal; beyond it 429 RATE_LIMITED.")
            .define(RATE_LIMIT_BURST.name(), Type.LONG, 200L, Range.between(1, 1_000_000),
                    "Requests a principal may send in a burst above the sustained rate.")
            .define(PRODUCE_TIMEOUT_MS.name(), Type.LONG, 10_000L, Range.between(1000, 300_000),
                    "Producer delivery.timeout.ms: how long a produce may take before the request answers 503.")
            .define(INDEX_MAX_ENTRIES.name(), Type.INT, 200_000, Range.between(100, 100_000_000),
                    "Most runs and calls the ledger index keeps in memory (least recently used go first).")
            .define(LEDGER_RECENT_RECORDS.name(), Type.LONG, 1000L, Range.between(0, 10_000_000),
                    "How many records before the end of each ledger partition intake starts reading at (its recent "
                            + "window for waiters and held calls); intake never replays the whole ledger.")
            .define(PROJECTOR_URL.name(), Type.STRING, null, httpUrl(true),
                    "The projector's query API (e.g. http://projector:8082), where intake looks up runs and held "
                            + "calls older than its recent window, with the caller's key. Unset: only the recent "
                            + "window is known.")
            .define(PROJECTOR_TIMEOUT_MS.name(), Type.LONG, 2000L, Range.between(100, 60_000),
                    "Bound of one lookup in the projector.")
            .define(CREATE_TOPICS.name(), Type.BOOLEAN, true, null,
                    "Whether intake creates the topics it reads and writes when they are missing.")
            .define(CONSOLE_QUERY_URL.name(), Type.STRING, "http://localhost:8082",
                    ConfigDef.LambdaValidator.with((name, value) -> {
                        String url = (String) value;
                        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                            throw new ConfigException(name, value, "must be an http:// or https:// URL");
                        }
                    }, () -> "http:// or https:// URL"),
                    "The ledger projector's query API, which the web console at /console reads run data from.")
            .define(CONSOLE_SESSION_MINUTES.name(), Type.LONG, 480L, Range.between(1, 10_080),
                    "How long a console sign-in lasts before the person must sign in again.")
            .define(MCP_ALLOWED_ORIGINS.name(), Type.STRING, "", null,
                    "Comma-separated Origins a browser may call /mcp from (e.g. https://app.example.com, "
                            + "http://localhost:*); a request with any other Origin gets 403. Requests without Origin "
                            + "are accepted.")
            .define(MCP_HOLD_WAIT.name(), Type.STRING, "PT60S", duration(Duration.ofMinutes(10)),
                    "How long an MCP tools/call held for approval waits for the decision before answering "
                            + "PENDING_APPROVAL (ISO-8601 duration).")
            .define(MCP_ADMISSION_WAIT.name(), Type.STRING, "PT30S", duration(Duration.ofMinutes(5)),
                    "How long an MCP initialize waits for the run's admission decision (ISO-8601 duration).")
            .define(COMMAND_KEYS_FILE.name(), Type.STRING, null, ConfigDef.LambdaValidator.with((name, value) -> {
                if (value != null && ((String) value).isBlank()) {
                    throw new ConfigException(name, value, "must be a file path when set");
                }
            }, () -> "path of a keyId=base64 file"),
                    "File of the intake service keys (keyId=base64 lines; shared with the policy-processor, never "
                            + "logged). Intake signs each command with the first key on behalf of the principal it "
                            + "authenticated, and keys Idempotency-Key run ids with it. Unset: a random key of this "
                            + "process only, whose commands no processor accepts.");

    /** Prefix of keys passed through to the Kafka clients unchanged, e.g. {@code kafka.security.protocol}. */
    public static final String KAFKA_PREFIX = ConfigDeclaration.KAFKA_PREFIX;

    private final ParsedConfig parsed;

    private IntakeConfig(ParsedConfig parsed) {
        this.parsed = parsed;
    }

    /** A config from explicit values; keys not given take their defaults. */
    public static IntakeConfig of(Map<String, String> given) {
        try {
            return new IntakeConfig(DECLARATION.parse(given));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid intake config: " + e.getMessage(), e);
        }
    }

    /** A config of defaults for the given broker and registry. */
    public static IntakeConfig of(String bootstrapServers, String schemaRegistryUrl) {
        return of(Map.of(BOOTSTRAP_SERVERS.name(), bootstrapServers, SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl));
    }

    /** This config with one more value. */
    public IntakeConfig with(Key key, String value) {
        Map<String, String> next = new LinkedHashMap<>(parsed.given());
        next.put(key.name(), value);
        return of(next);
    }

    public String get(Key key) {
        return parsed.text(key.name());
    }

    public Optional<String> optional(Key key) {
        return Optional.ofNullable(parsed.text(key.name()));
    }

    public long getLong(Key key) {
        return Long.parseLong(parsed.text(key.name()));
    }

    public int getInt(Key key) {
        return Math.toIntExact(getLong(key));
    }

    public boolean getBoolean(Key key) {
        return Boolean.parseBoolean(parsed.text(key.name()));
    }

    public Duration getDuration(Key key) {
        return Duration.parse(parsed.text(key.name()));
    }

    public String bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return get(SCHEMA_REGISTRY_URL);
    }

    /** Extra Kafka client properties: every {@code kafka.*} key without its prefix. */
    public Map<String, Object> kafkaOverrides() {
        return new LinkedHashMap<>(parsed.kafkaClientConfig());
    }

    @Override
    public String toString() {
        return "IntakeConfig" + parsed;
    }

    private static boolean validAdminKey(String key) {
        return key.startsWith("tg_") && key.length() >= 20;
    }

    private static ConfigDef.Validator duration(Duration max) {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            try {
                Duration parsed = Duration.parse((String) value);
                if (parsed.isNegative() || parsed.compareTo(max) > 0) {
                    throw new ConfigException(name, value, "must be between PT0S and " + max);
                }
            } catch (DateTimeParseException | NullPointerException e) {
                throw new ConfigException(name, value, "must be an ISO-8601 duration such as PT60S");
            }
        }, () -> "ISO-8601 duration up to " + max);
    }

    private static ConfigDef.Validator httpUrl(boolean optional) {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String url = (String) value;
            if (url == null && optional) {
                return;
            }
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new ConfigException(name, value, "must be an http:// or https:// URL");
            }
        }, () -> "http:// or https:// URL");
    }
}

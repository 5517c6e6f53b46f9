package dev.tollgate.intake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The immutable configuration of the intake-service. Every key is declared once, in {@link #KEYS}, with its
 * default and its documentation; a config is built from a {@code Map<String, String>} (the launcher turns
 * command-line options and environment variables into one) and rejects unknown keys and invalid values.
 */
public final class IntakeConfig {

    /** One configuration key: its name, default (null when required or optional without default) and doc. */
    public record Key(String name, String defaultValue, String doc, Predicate<String> valid) {
    }

    public static final Key BOOTSTRAP_SERVERS = new Key("bootstrap.servers", "localhost:9092",
            "Kafka bootstrap servers.", v -> !v.isBlank());
    public static final Key SCHEMA_REGISTRY_URL = new Key("schema.registry.url", "http://localhost:8081",
            "URL of a registry speaking the Confluent Schema Registry REST API.", v -> !v.isBlank());
    public static final Key HTTP_HOST = new Key("http.host", "0.0.0.0", "Interface the HTTP server binds.",
            v -> !v.isBlank());
    public static final Key HTTP_PORT = new Key("http.port", "8080", "HTTP port; 0 picks a free port.",
            v -> isLong(v, 0, 65535));
    public static final Key ADMIN_KEY = new Key("admin.key", null,
            "Bootstrap admin API key (TOLLGATE_ADMIN_KEY). When set, identity bootstrap-admin is upserted at start.",
            v -> v.startsWith("tg_") && v.length() >= 20);
    public static final Key MAX_BODY_BYTES = new Key("max.body.bytes", Long.toString(1024 * 1024),
            "Largest accepted request body; larger bodies answer 413 BODY_TOO_LARGE.", v -> isLong(v, 1, 64L << 20));
    public static final Key MAX_WAIT_MS = new Key("max.wait.ms", "30000",
            "Upper bound of ?waitMs on tool calls.", v -> isLong(v, 0, 600_000));
    public static final Key MAX_WAITERS = new Key("max.waiters", "10000",
            "Most tool calls waited on at once; beyond it a waitMs request answers 202 at once.",
            v -> isLong(v, 1, 1_000_000));
    public static final Key RATE_LIMIT_PER_SECOND = new Key("rate.limit.per.second", "100",
            "Sustained requests per second per principal; beyond it 429 RATE_LIMITED.", v -> isLong(v, 1, 1_000_000));
    public static final Key RATE_LIMIT_BURST = new Key("rate.limit.burst", "200",
            "Requests a principal may send in a burst above the sustained rate.", v -> isLong(v, 1, 1_000_000));
    public static final Key PRODUCE_TIMEOUT_MS = new Key("produce.timeout.ms", "10000",
            "Producer delivery.timeout.ms: how long a produce may take before the request answers 503.",
            v -> isLong(v, 1000, 300_000));
    public static final Key INDEX_MAX_ENTRIES = new Key("index.max.entries", "200000",
            "Most runs and calls the ledger index keeps in memory (least recently used go first).",
            v -> isLong(v, 100, 100_000_000));
    public static final Key LEDGER_RECENT_RECORDS = new Key("ledger.recent.records", "1000",
            "How many records before the end of each ledger partition intake starts reading at (its recent window for "
                    + "waiters and held calls); intake never replays the whole ledger.", v -> isLong(v, 0, 10_000_000));
    public static final Key PROJECTOR_URL = new Key("projector.url", null,
            "The projector's query API (e.g. http://projector:8082), where intake looks up runs and held calls "
                    + "older than its recent window, with the caller's key. Unset: only the recent window is known.",
            v -> v.startsWith("http://") || v.startsWith("https://"));
    public static final Key PROJECTOR_TIMEOUT_MS = new Key("projector.timeout.ms", "2000",
            "Bound of one lookup in the projector.", v -> isLong(v, 100, 60_000));
    public static final Key CREATE_TOPICS = new Key("create.topics", "true",
            "Whether intake creates the topics it reads and writes when they are missing.",
            v -> v.equals("true") || v.equals("false"));
    public static final Key CONSOLE_QUERY_URL = new Key("console.query.url", "http://localhost:8082",
            "The ledger projector's query API, which the web console at /console reads run data from.",
            v -> v.startsWith("http://") || v.startsWith("https://"));
    public static final Key CONSOLE_SESSION_MINUTES = new Key("console.session.minutes", "480",
            "How long a console sign-in lasts before the person must sign in again.", v -> isLong(v, 1, 10_080));

    /** Every key, in documentation order. */
    public static final List<Key> KEYS = List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, HTTP_HOST, HTTP_PORT,
            ADMIN_KEY, MAX_BODY_BYTES, MAX_WAIT_MS, MAX_WAITERS, RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST,
            PRODUCE_TIMEOUT_MS, INDEX_MAX_ENTRIES, LEDGER_RECENT_RECORDS, PROJECTOR_URL, PROJECTOR_TIMEOUT_MS,
            CREATE_TOPICS, CONSOLE_QUERY_URL, CONSOLE_SESSION_MINUTES);

    /** Prefix of keys passed through to the Kafka clients unchanged, e.g. {@code kafka.security.protocol}. */
    public static final String KAFKA_PREFIX = "kafka.";

    private final Map<String, String> values;

    private IntakeConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** A config from explicit values; keys not given take their defaults. */
    public static IntakeConfig of(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> entry : given.entrySet()) {
            String name = entry.getKey();
            if (name.startsWith(KAFKA_PREFIX)) {
                values.put(name, entry.getValue());
                continue;
            }
            Optional<Key> key = KEYS.stream().filter(k -> k.name().equals(name)).findFirst();
            if (key.isEmpty()) {
                problems.add("unknown key " + name);
            } else if (entry.getValue() != null) {
                String value = entry.getValue().trim();
                if (!key.get().valid().test(value)) {
                    problems.add("invalid value for " + name + (name.equals(ADMIN_KEY.name()) ? "" : ": " + value));
                } else {
                    values.put(name, value);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid intake config: " + String.join("; ", problems));
        }
        for (Key key : KEYS) {
            if (!values.containsKey(key.name()) && key.defaultValue() != null) {
                values.put(key.name(), key.defaultValue());
            }
        }
        return new IntakeConfig(values);
    }

    /** A config of defaults for the given broker and registry. */
    public static IntakeConfig of(String bootstrapServers, String schemaRegistryUrl) {
        return of(Map.of(BOOTSTRAP_SERVERS.name(), bootstrapServers, SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl));
    }

    /** This config with one more value. */
    public IntakeConfig with(Key key, String value) {
        Map<String, String> next = new LinkedHashMap<>(values);
        next.put(key.name(), value);
        return of(next);
    }

    public String get(Key key) {
        return values.get(key.name());
    }

    public Optional<String> optional(Key key) {
        return Optional.ofNullable(values.get(key.name()));
    }

    public long getLong(Key key) {
        return Long.parseLong(values.get(key.name()));
    }

    public int getInt(Key key) {
        return Math.toIntExact(getLong(key));
    }

    public boolean getBoolean(Key key) {
        return Boolean.parseBoolean(values.get(key.name()));
    }

    public String bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return get(SCHEMA_REGISTRY_URL);
    }

    /** Extra Kafka client properties: every {@code kafka.*} key without its prefix. */
    public Map<String, Object> kafkaOverrides() {
        Map<String, Object> overrides = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX)) {
                overrides.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        return overrides;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(values);
        shown.computeIfPresent(ADMIN_KEY.name(), (k, v) -> "***");
        return "IntakeConfig" + shown;
    }

    private static boolean isLong(String value, long min, long max) {
        try {
            long parsed = Long.parseLong(value);
            return parsed >= min && parsed <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

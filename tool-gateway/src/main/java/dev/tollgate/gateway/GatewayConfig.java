package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The tool gateway's configuration, immutable. Every key is declared once below, with its default and its doc;
 * values come from a flat {@code Map<String, String>} (dotted keys), which {@link #fromYaml} builds from the YAML
 * file of DESIGN.md ("Tool gateway configuration"): nested maps become dotted keys ({@code fs: {root: x}} is
 * {@code fs.root}) and lists become comma-separated values ({@code egress.allow}).
 *
 * <p>Relative paths are resolved against the working directory. Unknown keys are refused, so a typo in the file is
 * an error at start rather than a silently ignored constraint. Keys under {@link #KAFKA_PREFIX} (in YAML, a
 * {@code kafka:} mapping such as {@code kafka: {security.protocol: SASL_PLAINTEXT}}) pass through, without the
 * prefix, to every Kafka client of the gateway (producer, consumers, admin); the gateway's own settings (group,
 * transactional.id, isolation level, ...) win over them.
 */
public final class GatewayConfig {

    /** One declared configuration key. */
    public record Key(String name, String defaultValue, String doc) {
    }

    private static final List<Key> KEYS = new ArrayList<>();

    public static final Key BOOTSTRAP_SERVERS = key("bootstrap.servers", "localhost:9092",
            "Kafka bootstrap servers.");
    public static final Key SCHEMA_REGISTRY_URL = key("schema.registry.url", "http://localhost:8081",
            "URL of a registry speaking the Confluent Schema Registry REST API.");
    public static final Key DATA_DIR = key("data.dir", ".tollgate/gateway",
            "Local directory of this instance: the receipt-signing key pair and the default tool roots.");
    public static final Key GATEWAY_ID = key("gateway.id", "gateway-1",
            "Id of this instance, unique among running gateways. Recorded in results and keys; it is also the"
                    + " consumer's group.instance.id and the suffix of the transactional.id.");
    public static final Key TRANSACTIONAL_ID_PREFIX = key("transactional.id.prefix", "tollgate-tool-gateway",
            "The producer's transactional.id is <prefix>-<gateway.id>.");
    public static final Key EGRESS_ALLOW = key("egress.allow", "",
            "Comma-separated scheme://host:port/path-prefix entries http.fetch may reach; empty: nothing.");
    public static final Key FS_ROOT = key("fs.root", "",
            "The only tree fs.read sees; empty: <data.dir>/files.");
    public static final Key DOCS_ROOT = key("docs.root", "",
            "The tree search_docs and read_repo work over; empty: <data.dir>/docs.");
    public static final Key OUTBOX = key("outbox", "",
            "Append-only JSON-lines file tickets.update and email.send write; empty: <data.dir>/outbox.jsonl.");
    public static final Key TIMEOUT_DEFAULT = key("timeouts.default", "PT10S",
            "ISO-8601 timeout of a tool call; timeouts.<tool> overrides it per tool.");
    public static final Key MAX_RESULT_BYTES = key("limits.maxResultBytes", "1048576",
            "Largest result (UTF-8 JSON) a tool may return; also the cap of http.fetch bodies and fs.read files.");
    public static final Key CONCURRENCY = key("limits.concurrency", "64",
            "Tool calls running at once, across runs (calls of one run always run one after another).");
    public static final Key MAX_IN_FLIGHT = key("limits.maxInFlight", "1024",
            "Dispatch records consumed but not yet committed; above it the consumer pauses (back-pressure).");
    public static final Key SIGNING_PRIVATE_KEY = key("signing.privateKeyFile", "",
            "PKCS#8 (DER) Ed25519 private key; empty: <data.dir>/receipt-signing.key, generated on first start.");
    public static final Key SIGNING_PUBLIC_KEY = key("signing.publicKeyFile", "",
            "X.509 (DER) Ed25519 public key; empty: <data.dir>/receipt-signing.pub, generated on first start.");
    public static final Key HTTP_PORT = key("http.port", "-1",
            "Port of the gateway's HTTP endpoint (GET /v1/keys, GET /health); -1: none, 0: any free port.");
    public static final Key SESSION_TIMEOUT_MS = key("consumer.session.timeout.ms", "10000",
            "Consumer session timeout: how long a dead instance's partitions wait before another takes them.");
    public static final Key CREATE_TOPICS = key("topics.create", "true",
            "Create the topics the gateway reads and writes when they are missing.");
    public static final Key SECRETS = key("secrets", "",
            "Where ${secret:NAME} is read from: a directory (the file NAME in it) or a properties file (NAME=value);"
                    + " empty: no secrets.");

    /** The YAML sections that are lists of objects and so stay structured: {@code mcp} and {@code http_tools}. */
    public static final String MCP_SECTION = "mcp";
    public static final String HTTP_TOOLS_SECTION = "http_tools";

    private static final String TIMEOUTS_PREFIX = "timeouts.";

    /** Prefix of the keys passed through to the Kafka clients, e.g. {@code kafka.sasl.mechanism}. */
    public static final String KAFKA_PREFIX = "kafka.";

    private final Map<String, String> values;
    private final JsonNode mcp;
    private final JsonNode httpTools;

    private GatewayConfig(Map<String, String> values, JsonNode mcp, JsonNode httpTools) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.mcp = mcp == null ? MissingNode.getInstance() : mcp.deepCopy();
        this.httpTools = httpTools == null ? MissingNode.getInstance() : httpTools.deepCopy();
    }

    private static Key key(String name, String defaultValue, String doc) {
        Key key = new Key(name, defaultValue, doc);
        KEYS.add(key);
        return key;
    }

    /** Every declared key, in declaration order (per-tool timeouts {@code timeouts.<tool>} come on top). */
    public static List<Key> keys() {
        return List.copyOf(KEYS);
    }

    /** A config from dotted keys; unknown keys and malformed values are refused. */
    public static GatewayConfig of(Map<String, String> raw) {
        return of(raw, null, null);
    }

    private static GatewayConfig of(Map<String, String> raw, JsonNode mcp, JsonNode httpTools) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Key key : KEYS) {
            values.put(key.name(), key.defaultValue());
        }
        for (Map.Entry<String, String> entry : raw.entrySet()) {
            String name = entry.getKey();
            boolean declared = KEYS.stream().anyMatch(k -> k.name().equals(name));
            boolean passThrough = name.startsWith(KAFKA_PREFIX) && name.length() > KAFKA_PREFIX.length();
            if (!declared && !name.startsWith(TIMEOUTS_PREFIX) && !passThrough) {
                throw new IllegalArgumentException("unknown gateway config key '" + name + "'");
            }
            values.put(name, Objects.requireNonNull(entry.getValue(), name).trim());
        }
        GatewayConfig config = new GatewayConfig(values, mcp, httpTools);
        config.validate();
        return config;
    }

    /** Reads the YAML file; {@code overrides} (for example from the command line) win over the file. */
    public static GatewayConfig fromYaml(Path file, Map<String, String> overrides) {
        try (InputStream in = Files.newInputStream(file)) {
            return fromYaml(in, overrides);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read gateway config " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads YAML from a stream; {@code overrides} win over it. */
    public static GatewayConfig fromYaml(InputStream yaml, Map<String, String> overrides) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        Map<String, String> flat = new LinkedHashMap<>();
        JsonNode mcp = null;
        JsonNode httpTools = null;
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new IllegalArgumentException("gateway config must be a YAML mapping");
            }
            ObjectNode rest = ((ObjectNode) root).deepCopy();
            mcp = rest.remove(MCP_SECTION);
            httpTools = rest.remove(HTTP_TOOLS_SECTION);
            flatten("", rest, flat);
        }
        flat.putAll(overrides);
        return of(flat, mcp, httpTools);
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

    private void validate() {
        for (String name : values.keySet()) {
            if (name.startsWith(TIMEOUTS_PREFIX)) {
                duration(name);
            }
        }
        if (concurrency() < 1) {
            throw new IllegalArgumentException(CONCURRENCY.name() + " must be >= 1");
        }
        if (maxInFlight() < concurrency()) {
            throw new IllegalArgumentException(MAX_IN_FLIGHT.name() + " must be >= " + CONCURRENCY.name());
        }
        if (maxResultBytes() < 64) {
            throw new IllegalArgumentException(MAX_RESULT_BYTES.name() + " must be >= 64");
        }
        if (gatewayId().isEmpty() || !gatewayId().matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(GATEWAY_ID.name() + " must match [A-Za-z0-9._-]+");
        }
        egressAllow();
        httpPort();
        sessionTimeoutMs();
    }

    /** The raw value of a key. */
    public String get(Key key) {
        return values.get(key.name());
    }

    public String bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return get(SCHEMA_REGISTRY_URL);
    }

    /** The pass-through Kafka client settings: every {@code kafka.*} key, without its prefix. */
    public Map<String, String> kafkaClientConfig() {
        Map<String, String> client = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            if (name.startsWith(KAFKA_PREFIX)) {
                client.put(name.substring(KAFKA_PREFIX.length()), value);
            }
        });
        return client;
    }

    public Path dataDir() {
        return Path.of(get(DATA_DIR)).toAbsolutePath().normalize();
    }

    public String gatewayId() {
        return get(GATEWAY_ID);
    }

    public String transactionalId() {
        return get(TRANSACTIONAL_ID_PREFIX) + "-" + gatewayId();
    }

    public List<String> egressAllow() {
        String raw = get(EGRESS_ALLOW);
        if (raw.isBlank()) {
            return List.of();
        }
        return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public Path fsRoot() {
        return pathOr(FS_ROOT, "files");
    }

    public Path docsRoot() {
        return pathOr(DOCS_ROOT, "docs");
    }

    public Path outbox() {
        return pathOr(OUTBOX, "outbox.jsonl");
    }

    public Path signingPrivateKeyFile() {
        return pathOr(SIGNING_PRIVATE_KEY, "receipt-signing.key");
    }

    public Path signingPublicKeyFile() {
        return pathOr(SIGNING_PUBLIC_KEY, "receipt-signing.pub");
    }

    /** The timeout of one tool: {@code timeouts.<tool>} when set, else {@code timeouts.default}. */
    public Duration timeout(String tool) {
        String name = TIMEOUTS_PREFIX + tool;
        return values.containsKey(name) ? duration(name) : duration(TIMEOUT_DEFAULT.name());
    }

    /** The longest timeout configured for any tool. */
    public Duration maxTimeout() {
        return values.keySet().stream().filter(n -> n.startsWith(TIMEOUTS_PREFIX)).map(this::duration)
                .max(Duration::compareTo).orElse(duration(TIMEOUT_DEFAULT.name()));
    }

    public int maxResultBytes() {
        return integer(MAX_RESULT_BYTES);
    }

    public int concurrency() {
        return integer(CONCURRENCY);
    }

    public int maxInFlight() {
        return integer(MAX_IN_FLIGHT);
    }

    public int httpPort() {
        return integer(HTTP_PORT);
    }

    public int sessionTimeoutMs() {
        return integer(SESSION_TIMEOUT_MS);
    }

    /** The {@code mcp:} section as written ({@code servers:} upstream MCP servers), or a missing node. */
    public JsonNode mcpSection() {
        return mcp.deepCopy();
    }

    /** The {@code http_tools:} section as written (REST endpoints as tools), or a missing node. */
    public JsonNode httpToolsSection() {
        return httpTools.deepCopy();
    }

    /** The secrets directory or file, if configured. */
    public Optional<Path> secrets() {
        String raw = get(SECRETS);
        return raw.isEmpty() ? Optional.empty() : Optional.of(Path.of(raw).toAbsolutePath().normalize());
    }

    /** The timeout configured for exactly this tool ({@code timeouts.<tool>}), if any. */
    public Optional<Duration> explicitTimeout(String tool) {
        String name = TIMEOUTS_PREFIX + tool;
        return values.containsKey(name) ? Optional.of(duration(name)) : Optional.empty();
    }

    public boolean createTopics() {
        return Boolean.parseBoolean(get(CREATE_TOPICS));
    }

    /** A copy with some keys replaced. */
    public GatewayConfig with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides);
        return of(merged, mcp, httpTools);
    }

    /**
     * The effective values. The {@code kafka.*} pass-through values can hold credentials ({@code sasl.jaas.config}):
     * never log this map whole.
     */
    public Map<String, String> asMap() {
        return values;
    }

    private Path pathOr(Key key, String underDataDir) {
        String raw = get(key);
        return raw.isEmpty() ? dataDir().resolve(underDataDir)
                : Path.of(raw).toAbsolutePath().normalize();
    }

    private Duration duration(String name) {
        String raw = values.get(name);
        try {
            Duration d = Duration.parse(raw);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + raw);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " is not an ISO-8601 duration (like PT10S): " + raw, e);
        }
    }

    private int integer(Key key) {
        return parse(key, Integer::parseInt);
    }

    private <T> T parse(Key key, Function<String, T> parser) {
        String raw = get(key);
        try {
            return parser.apply(raw);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key.name() + " has an invalid value '" + raw + "'", e);
        }
    }
}

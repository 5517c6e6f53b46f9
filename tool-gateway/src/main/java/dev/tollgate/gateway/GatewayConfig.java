package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.events.config.ConfigDeclaration;
import dev.tollgate.events.config.ParsedConfig;
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
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The tool gateway's configuration, immutable. Every key is declared once, in {@link #DECLARATION}, with its type,
 * default, validator and doc; values come from a flat {@code Map<String, String>} (dotted keys), which
 * {@link #fromYaml} builds from the YAML file of DESIGN.md ("Tool gateway configuration"): nested maps become dotted
 * keys ({@code fs: {root: x}} is {@code fs.root}) and lists become comma-separated values ({@code egress.allow}).
 *
 * <p>Relative paths are resolved against the working directory. Unknown keys are refused, so a typo in the file is
 * an error at start rather than a silently ignored constraint. Keys under {@link #KAFKA_PREFIX} (in YAML, a
 * {@code kafka:} mapping such as {@code kafka: {security.protocol: SASL_PLAINTEXT}}) pass through, without the
 * prefix, to every Kafka client of the gateway (producer, consumers, admin); the gateway's own settings (group,
 * transactional.id, isolation level, ...) win over them. {@code topics.create}, the old spelling, is read as
 * {@code create.topics}.
 */
public final class GatewayConfig {

    /** One declared configuration key, by name; its type, default, validator and doc are in {@link #DECLARATION}. */
    public record Key(String name) {
    }

    public static final Key BOOTSTRAP_SERVERS = new Key("bootstrap.servers");
    public static final Key SCHEMA_REGISTRY_URL = new Key("schema.registry.url");
    public static final Key DATA_DIR = new Key("data.dir");
    public static final Key GATEWAY_ID = new Key("gateway.id");
    public static final Key TRANSACTIONAL_ID_PREFIX = new Key("transactional.id.prefix");
    public static final Key EGRESS_ALLOW = new Key("egress.allow");
    public static final Key FS_ROOT = new Key("fs.root");
    public static final Key DOCS_ROOT = new Key("docs.root");
    public static final Key OUTBOX = new Key("outbox");
    public static final Key TIMEOUT_DEFAULT = new Key("timeouts.default");
    public static final Key MAX_RESULT_BYTES = new Key("limits.maxResultBytes");
    public static final Key CONCURRENCY = new Key("limits.concurrency");
    public static final Key MAX_IN_FLIGHT = new Key("limits.maxInFlight");
    public static final Key SIGNING_PRIVATE_KEY = new Key("signing.privateKeyFile");
    public static final Key SIGNING_PUBLIC_KEY = new Key("signing.publicKeyFile");
    public static final Key DISPATCH_KEYS = new Key("dispatch.keysFile");
    public static final Key HTTP_PORT = new Key("http.port");
    public static final Key SESSION_TIMEOUT_MS = new Key("consumer.session.timeout.ms");
    public static final Key CREATE_TOPICS = new Key("create.topics");
    public static final Key SECRETS = new Key("secrets");

    private static final String TIMEOUTS_PREFIX = "timeouts.";

    /** The YAML sections that are lists of objects and so stay structured: {@code mcp} and {@code http_tools}. */
    public static final String MCP_SECTION = "mcp";
    public static final String HTTP_TOOLS_SECTION = "http_tools";

    /** Every key of the gateway, declared once. */
    public static final ConfigDeclaration DECLARATION = new ConfigDeclaration("tool-gateway")
            .define(BOOTSTRAP_SERVERS.name(), Type.STRING, "localhost:9092", new ConfigDef.NonEmptyString(),
                    "Kafka bootstrap servers.")
            .define(SCHEMA_REGISTRY_URL.name(), Type.STRING, "http://localhost:8081", new ConfigDef.NonEmptyString(),
                    "URL of a registry speaking the Confluent Schema Registry REST API.")
            .define(DATA_DIR.name(), Type.STRING, ".tollgate/gateway", new ConfigDef.NonEmptyString(),
                    "Local directory of this instance: the receipt-signing key pair and the default tool roots.")
            .define(GATEWAY_ID.name(), Type.STRING, "gateway-1", ConfigDef.LambdaValidator.with((name, value) -> {
                if (value == null || !((String) value).matches("[A-Za-z0-9._-]+")) {
                    throw new ConfigException(name + " must match [A-Za-z0-9._-]+");
                }
            }, () -> "[A-Za-z0-9._-]+"),
                    "Id of this instance, unique among running gateways. Recorded in results and keys; it is also "
                            + "the consumer's group.instance.id and the suffix of the transactional.id.")
            .define(TRANSACTIONAL_ID_PREFIX.name(), Type.STRING, "tollgate-tool-gateway",
                    new ConfigDef.NonEmptyString(), "The producer's transactional.id is <prefix>-<gateway.id>.")
            .define(EGRESS_ALLOW.name(), Type.STRING, "", null,
                    "Comma-separated scheme://host:port/path-prefix entries http.fetch may reach; empty: nothing.")
            .define(FS_ROOT.name(), Type.STRING, "", null, "The only tree fs.read sees; empty: <data.dir>/files.")
            .define(DOCS_ROOT.name(), Type.STRING, "", null,
                    "The tree search_docs and read_repo work over; empty: <data.dir>/docs.")
            .define(OUTBOX.name(), Type.STRING, "", null,
                    "Append-only JSON-lines file tickets.update and email.send write; empty: <data.dir>/outbox.jsonl.")
            .define(TIMEOUT_DEFAULT.name(), Type.STRING, "PT10S", ConfigDef.LambdaValidator.with(
                    (name, value) -> duration(name, (String) value), () -> "a positive ISO-8601 duration"),
                    "ISO-8601 timeout of a tool call; timeouts.<tool> overrides it per tool.")
            .define(MAX_RESULT_BYTES.name(), Type.INT, 1_048_576, Range.atLeast(64),
                    "Largest result (UTF-8 JSON) a tool may return; also the cap of http.fetch bodies and fs.read "
                            + "files.")
            .define(CONCURRENCY.name(), Type.INT, 64, Range.atLeast(1),
                    "Tool calls running at once, across runs (calls of one run always run one after another).")
            .define(MAX_IN_FLIGHT.name(), Type.INT, 1024, Range.atLeast(1),
                    "Dispatch records consumed but not yet committed; above it the consumer pauses (back-pressure). "
                            + "At least limits.concurrency.")
            .define(SIGNING_PRIVATE_KEY.name(), Type.STRING, "", null,
                    "PKCS#8 (DER) Ed25519 private key; empty: <data.dir>/receipt-signing.key, generated on first "
                            + "start.")
            .define(SIGNING_PUBLIC_KEY.name(), Type.STRING, "", null,
                    "X.509 (DER) Ed25519 public key; empty: <data.dir>/receipt-signing.pub, generated on first start.")
            .define(DISPATCH_KEYS.name(), Type.STRING, "", null,
                    "Keys the policy-processor signs dispatches with (keyId=base64 lines, shared with it, never "
                            + "logged); a dispatch without a valid proof by one of them runs nothing and goes to the "
                            + "DLQ. Empty: <data.dir>/dispatch-keys, created with a random key (which no processor "
                            + "shares) if missing.")
            .define(HTTP_PORT.name(), Type.INT, -1, Range.between(-1, 65535),
                    "Port of the gateway's HTTP endpoint (GET /v1/keys, /health/live, /health/ready, /metrics); -1: "
                            + "none, 0: any free port.")
            .define(SESSION_TIMEOUT_MS.name(), Type.INT, 10_000, Range.atLeast(1),
                    "Consumer session timeout: how long a dead instance's partitions wait before another takes them.")
            .define(CREATE_TOPICS.name(), Type.BOOLEAN, true, null,
                    "Create the topics the gateway reads and writes when they are missing.")
            .define(SECRETS.name(), Type.STRING, "", null,
                    "Where ${secret:NAME} is read from: a directory (the file NAME in it) or a properties file "
                            + "(NAME=value); empty: no secrets.")
            .openPrefix(TIMEOUTS_PREFIX, "ISO-8601 timeout of one tool (timeouts.http.fetch: PT5S).")
            .alias("topics.create", CREATE_TOPICS.name());

    /** Prefix of the keys passed through to the Kafka clients, e.g. {@code kafka.sasl.mechanism}. */
    public static final String KAFKA_PREFIX = ConfigDeclaration.KAFKA_PREFIX;

    private final ParsedConfig parsed;
    private final Map<String, String> values;
    private final JsonNode mcp;
    private final JsonNode httpTools;

    private GatewayConfig(ParsedConfig parsed, JsonNode mcp, JsonNode httpTools) {
        this.parsed = parsed;
        Map<String, String> effective = new LinkedHashMap<>();
        for (String name : DECLARATION.names()) {
            effective.put(name, parsed.text(name));
        }
        effective.putAll(parsed.given());
        this.values = Collections.unmodifiableMap(effective);
        this.mcp = mcp == null ? MissingNode.getInstance() : mcp.deepCopy();
        this.httpTools = httpTools == null ? MissingNode.getInstance() : httpTools.deepCopy();
    }

    /** Every declared key name, in declaration order (per-tool timeouts {@code timeouts.<tool>} come on top). */
    public static List<String> keys() {
        return DECLARATION.names();
    }

    /** A config from dotted keys; unknown keys and malformed values are refused. */
    public static GatewayConfig of(Map<String, String> raw) {
        return of(raw, null, null);
    }

    private static GatewayConfig of(Map<String, String> raw, JsonNode mcp, JsonNode httpTools) {
        GatewayConfig config;
        try {
            config = new GatewayConfig(DECLARATION.parse(raw), mcp, httpTools);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid gateway config: " + e.getMessage(), e);
        }
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
        if (maxInFlight() < concurrency()) {
            throw new IllegalArgumentException(MAX_IN_FLIGHT.name() + " must be >= " + CONCURRENCY.name());
        }
        egressAllow();
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

    public Path dispatchKeysFile() {
        return pathOr(DISPATCH_KEYS, "dispatch-keys");
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
        return parsed.getBoolean(CREATE_TOPICS.name());
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
        return duration(name, values.get(name));
    }

    private static Duration duration(String name, String raw) {
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
        return parsed.getInt(key.name());
    }

    @Override
    public String toString() {
        return "GatewayConfig" + parsed;
    }
}

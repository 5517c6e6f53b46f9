package dev.tollgate.gateway;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolDefinition;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test fixture: produces dispatches as the policy-processor would, and collects what the gateway writes (results,
 * keys) with read_committed consumers, for the runs of one test.
 */
final class GatewayItSupport implements AutoCloseable {

    /** Every IT instance uses this id, so a new gateway takes over the previous one's static group membership. */
    static final String GATEWAY_ID = "it-gateway";

    private final String bootstrap;
    private final TollgateSerdes serdes;
    private final KafkaProducer<String, byte[]> producer;
    final Map<String, List<ToolCallResult>> resultsByRun = new ConcurrentHashMap<>();
    final Map<String, GatewayKey> keys = new ConcurrentHashMap<>();
    final Map<String, ToolDefinition> catalog = new ConcurrentHashMap<>();
    final List<ConsumerRecord<String, byte[]>> deadLetters = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread reader;
    private volatile boolean running = true;

    GatewayItSupport(String bootstrap, String registryUrl) {
        this.bootstrap = bootstrap;
        this.serdes = new TollgateSerdes(new RestSchemaRegistryClient(registryUrl));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        this.reader = new Thread(this::read, "it-result-reader");
    }

    /** The dispatch key of the tests, as the policy-processor would hold it (a fixed, non-secret test key). */
    static final byte[] DISPATCH_SECRET = "test-dispatch-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final KeyRing DISPATCH_KEYS = KeyRing.of("test-dispatch", DISPATCH_SECRET);

    /** The gateway config of a test: everything local under {@code dir}, sharing {@link #DISPATCH_KEYS}. */
    static GatewayConfig config(String bootstrap, String registryUrl, Path dir, Map<String, String> more) {
        Path keys = dispatchKeyFile(dir);
        Map<String, String> values = new HashMap<>(Map.of(
                "bootstrap.servers", bootstrap,
                "schema.registry.url", registryUrl,
                "data.dir", dir.resolve("gateway").toString(),
                "gateway.id", GATEWAY_ID,
                "consumer.session.timeout.ms", "6000",
                "dispatch.keysFile", keys.toString()));
        values.putAll(more);
        return GatewayConfig.of(values);
    }

    /** Writes {@link #DISPATCH_KEYS} as {@code dir/dispatch-keys}, the gateway's dispatch.keysFile; returns it. */
    static Path dispatchKeyFile(Path dir) {
        Path keys = dir.resolve("dispatch-keys");
        try {
            Files.createDirectories(dir);
            Files.writeString(keys, "test-dispatch=" + Base64.getEncoder().encodeToString(DISPATCH_SECRET) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    /** Starts reading; call once the gateway has created its topics. */
    void startReading() {
        consumer.subscribe(List.of(Topics.TOOL_RESULTS.name(), Topics.GATEWAY_KEYS.name(), Topics.DLQ.name(),
                Topics.TOOL_CATALOG.name()));
        reader.start();
    }

    private void read() {
        var results = serdes.value(Topics.TOOL_RESULTS).deserializer();
        var gatewayKeys = serdes.value(Topics.GATEWAY_KEYS).deserializer();
        var definitions = serdes.value(Topics.TOOL_CATALOG).deserializer();
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(Topics.TOOL_RESULTS.name())) {
                        ToolCallResult result = results.deserialize(r.topic(), r.value());
                        resultsByRun.computeIfAbsent(result.getRunId(), k -> new CopyOnWriteArrayList<>())
                                .add(result);
                    } else if (r.topic().equals(Topics.GATEWAY_KEYS.name())) {
                        GatewayKey key = gatewayKeys.deserialize(r.topic(), r.value());
                        keys.put(key.getKeyId(), key);
                    } else if (r.topic().equals(Topics.TOOL_CATALOG.name())) {
                        ToolDefinition def = definitions.deserialize(r.topic(), r.value());
                        catalog.put(def.getName(), def);
                    } else {
                        deadLetters.add(r);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    List<ToolCallResult> results(String runId) {
        return resultsByRun.getOrDefault(runId, List.of());
    }

    int resultCount(String prefix) {
        return resultsByRun.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToInt(e -> e.getValue().size()).sum();
    }

    /** Produces one dispatch; the argument schema is permissive unless given. */
    void dispatch(String runId, String callId, String tool, String argsJson) {
        dispatch(runId, callId, tool, argsJson, "{\"type\":\"object\"}");
    }

    void dispatch(String runId, String callId, String tool, String argsJson, String schemaJson) {
        dispatchPinned(runId, callId, tool, argsJson, schemaJson, null);
    }

    /** A dispatch carrying a bundle's pin of the tool's definition, signed as the policy-processor signs it. */
    void dispatchPinned(String runId, String callId, String tool, String argsJson, String schemaJson, String pin) {
        ToolCallDispatch dispatch = unsigned(runId, callId, tool, argsJson, schemaJson);
        dispatch.setPin(pin);
        send(Proofs.signHmac(dispatch, DISPATCH_KEYS, "policy-processor"));
    }

    /** A dispatch as the policy-processor would build it, without its proof. */
    static ToolCallDispatch unsigned(String runId, String callId, String tool, String argsJson, String schemaJson) {
        return ToolCallDispatch.newBuilder()
                .setRunId(runId).setCallId(callId).setTool(tool)
                .setArgsJson(argsJson).setArgsSha256(CanonicalJson.sha256(argsJson)).setArgsSchemaJson(schemaJson)
                .setTenantId("tenant-it").setPrincipalId("agent-it").setApprovedAt(Instant.now())
                .build();
    }

    /** Produces the dispatch exactly as given. */
    void send(ToolCallDispatch dispatch) {
        String runId = dispatch.getRunId();
        byte[] bytes = serdes.value(Topics.DISPATCH).serializer().serialize(Topics.DISPATCH.name(), dispatch);
        send(runId, bytes);
    }

    void send(String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(Topics.DISPATCH.name(), key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce a dispatch", e);
        }
    }

    String bootstrap() {
        return bootstrap;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
    }
}

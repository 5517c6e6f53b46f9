package dev.tollgate.policy;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One policy-processor on the shared embedded broker, isolated by a unique application id, bundle name and tenant,
 * with a producer for its inputs and a ledger reader that checks each run's chain. For the feature ITs.
 */
final class ProcessorItSupport implements AutoCloseable {

    final String prefix;
    final String tenant;
    final TollgateSerdes serdes;
    private final EmbeddedKafka kafka;
    private final KafkaProducer<String, Object> producer;
    private final KafkaConsumer<String, byte[]> ledger;
    private final Map<String, List<LedgerEvent>> byRun = new ConcurrentHashMap<>();
    private final Map<String, String> lastHash = new HashMap<>();
    private PolicyProcessorApp app;
    private String yaml;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ProcessorItSupport(EmbeddedKafka kafka, String name) {
        this.kafka = kafka;
        this.prefix = EmbeddedKafkaExtension.uniqueId(name);
        this.tenant = prefix + "-tenant";
        this.serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
        Serializer<Object> values = (topic, value) -> {
            TopicSpec spec = Topics.byName(topic).orElseThrow();
            return ((Serde) serdes.value(spec)).serializer().serialize(topic, value);
        };
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "0"), new StringSerializer(),
                values);
        this.ledger = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, prefix + "-ledger-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Publishes the bundle (renamed to this test's name) and starts the processor; returns once it is ready. */
    void start(String bundleYaml, Path stateDir, Map<String, String> extra) throws Exception {
        yaml = bundleYaml.replace("name: default", "name: " + prefix);
        send(Topics.POLICIES.name(), prefix, PolicyBundle.newBuilder().setName(prefix).setVersion("it")
                .setSha256(Sha256.hex(yaml)).setYaml(yaml).setPublishedAt(Instant.now()).build());
        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", kafka.schemaRegistryUrl(),
                "application.id", prefix + "-policy-processor",
                "policy.bundle", prefix,
                "state.dir", stateDir.toString(),
                "command.keys.file", Fixtures.intakeKeyFile(stateDir).toString()));
        settings.putAll(extra);
        app = PolicyProcessorApp.start(PolicyProcessorConfig.from(settings));
        ledger.subscribe(List.of(Topics.LEDGER.name()));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
            poll();
            return app.ready() && !ledger.assignment().isEmpty();
        });
    }

    /** The bundle as published (renamed). */
    String yaml() {
        return yaml;
    }

    /** The commands recorded for the runs, in topic order (each run's commands are in one partition). */
    List<Command> recordedCommands(Set<String> runIds, int expected) {
        List<Command> commands = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, prefix + "-command-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.COMMANDS.name()));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (runIds.contains(record.key())) {
                        commands.add(serdes.value(Topics.COMMANDS).deserializer().deserialize(record.topic(),
                                record.value()));
                    }
                }
                return commands.size() >= expected;
            });
        }
        return commands;
    }

    void send(String topic, String key, Object value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    /** Sends the command as intake would: with intake's proof. */
    void send(Command command) throws Exception {
        send(Topics.COMMANDS.name(), command.getRunId(), Fixtures.signed(command));
    }

    /** Sends the command exactly as given (an attacker's, or one signed some other way). */
    void sendAsIs(Command command) throws Exception {
        send(Topics.COMMANDS.name(), command.getRunId(), command);
    }

    /**
     * Sends {@code command}, with intake's proof, with the producer's record timestamp set to {@code recordTime}
     * (the commands topic uses LogAppendTime, so the broker replaces it with the arrival time).
     */
    void send(Command command, Instant recordTime) throws Exception {
        producer.send(new ProducerRecord<>(Topics.COMMANDS.name(), null, recordTime.toEpochMilli(),
                command.getRunId(), Fixtures.signed(command))).get();
    }

    void identity(Identity identity) throws Exception {
        send(Topics.IDENTITIES.name(), identity.getPrincipalId(), identity);
    }

    /** Reads what the ledger has for this test's runs; checks each run's chain as it goes. */
    void poll() {
        for (ConsumerRecord<String, byte[]> record : ledger.poll(Duration.ofMillis(20))) {
            if (record.key() == null || !record.key().startsWith(prefix)) {
                continue;
            }
            LedgerEvent event = serdes.value(Topics.LEDGER).deserializer().deserialize(record.topic(),
                    record.value());
            String hash = LedgerHash.ofRecordValue(record.value());
            if (!hash.equals(new String(record.headers().lastHeader(LedgerHash.HEADER).value(),
                    StandardCharsets.UTF_8))) {
                throw new AssertionError("tollgate-hash header of " + record.key() + " is not the body's hash");
            }
            String previous = lastHash.getOrDefault(record.key(), LedgerHash.GENESIS);
            if (!event.getPrevHash().equals(previous)) {
                throw new AssertionError("chain of " + record.key() + " broken at seq " + event.getSeq());
            }
            lastHash.put(record.key(), hash);
            byRun.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(event);
        }
    }

    List<LedgerEvent> events(String runId) {
        return byRun.getOrDefault(runId, List.of());
    }

    /** How many of the runs have an event of the type as their last. */
    long runsEndingWith(Set<String> runIds, Class<?> type) {
        return runIds.stream().map(this::events).filter(e -> !e.isEmpty())
                .filter(e -> type.isInstance(e.get(e.size() - 1).getPayload())).count();
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
        producer.close();
        ledger.close();
    }
}

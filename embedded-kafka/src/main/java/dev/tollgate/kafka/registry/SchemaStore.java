package dev.tollgate.kafka.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.registry.CanonicalSchema;
import dev.tollgate.kafka.TopicProvisioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state: schemas by id, each subject's versions and the compatibility levels, kept in memory and
 * made durable in the compacted {@code _schemas} topic in the record shapes Confluent Schema Registry uses. On
 * open the topic is read to its end, so ids survive restarts; every change is written (and acknowledged) before
 * it is applied or answered. Changes are serialized by one lock; reads never wait for the broker.
 */
final class SchemaStore implements AutoCloseable {

    static final String TOPIC = "_schemas";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaStore.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Compatibility DEFAULT_LEVEL = Compatibility.BACKWARD_TRANSITIVE;

    private final KafkaProducer<String, String> producer;
    private final ReentrantLock writes = new ReentrantLock();

    // Guarded by this.
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<Integer, Schema> parsedById = new HashMap<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, List<SchemaVersion>> subjects = new TreeMap<>();
    private final Map<String, Compatibility> subjectLevels = new HashMap<>();
    private Compatibility globalLevel = DEFAULT_LEVEL;

    private SchemaStore(KafkaProducer<String, String> producer) {
        this.producer = producer;
    }

    /** Creates the {@code _schemas} topic if needed, restores the state from it and returns the store. */
    static SchemaStore open(String bootstrapServers) {
        createTopic(bootstrapServers);
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "embedded-schema-registry",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "0",
                // A registration waits this long for the broker before it is refused with a 500.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000"),
                new StringSerializer(), new StringSerializer());
        SchemaStore store = new SchemaStore(producer);
        try {
            store.restore(bootstrapServers);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return store;
    }

    /** Registers {@code schemaText} under {@code subject} (or finds it there) and returns its global id. */
    int register(String subject, String schemaText) {
        Parsed parsed = parse(schemaText);
        writes.lock();
        try {
            Optional<SchemaVersion> existing = find(subject, parsed.canonical());
            if (existing.isPresent()) {
                return existing.get().id();
            }
            List<String> problems = level(subject).check(parsed.schema(), history(subject));
            if (!problems.isEmpty()) {
                throw new RegistryException(409, 409, "Schema being registered is incompatible with an earlier "
                        + "schema for subject \"" + subject + "\", details: " + problems);
            }
            SchemaVersion added;
            synchronized (this) {
                int id = idsBySchema.getOrDefault(parsed.canonical(), nextId());
                List<SchemaVersion> versions = subjects.getOrDefault(subject, List.of());
                int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
                added = new SchemaVersion(subject, version, id, parsed.canonical());
            }
            append(schemaKey(subject, added.version()), schemaValue(added));
            synchronized (this) {
                apply(added, parsed.schema());
            }
            LOG.info("Registered schema id {} as version {} of subject {}", added.id(), added.version(), subject);
            return added.id();
        } finally {
            writes.unlock();
        }
    }

    /** The version of {@code subject} whose schema is {@code schemaText}. */
    SchemaVersion lookup(String subject, String schemaText) {
        Parsed parsed = parse(schemaText);
        synchronized (this) {
            if (!subjects.containsKey(subject)) {
                throw RegistryException.subjectNotFound(subject);
            }
        }
        return find(subject, parsed.canonical())
                .orElseThrow(() -> RegistryException.schemaNotFound("not registered under subject " + subject));
    }

    synchronized String schemaById(int id) {
        String schema = schemasById.get(id);
        if (schema == null) {
            throw RegistryException.schemaNotFound(Integer.toString(id));
        }
        return schema;
    }

    /** Every (subject, version) that holds schema {@code id}. */
    synchronized List<SchemaVersion> usesOf(int id) {
        schemaById(id);
        List<SchemaVersion> uses = new ArrayList<>();
        subjects.values().forEach(versions -> versions.stream().filter(v -> v.id() == id).forEach(uses::add));
        return uses;
    }

    synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    synchronized List<Integer> versions(String subject) {
        return versionsOf(subject).stream().map(SchemaVersion::version).toList();
    }

    /** Version {@code version} of {@code subject}: a positive number, or {@code latest} / {@code -1}. */
    synchronized SchemaVersion version(String subject, String version) {
        List<SchemaVersion> versions = versionsOf(subject);
        int wanted = parseVersion(version);
        if (wanted == -1) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.version() == wanted).findFirst()
                .orElseThrow(() -> RegistryException.versionNotFound(version));
    }

    /**
     * The problems that would make {@code schemaText} incompatible: with version {@code version} of the subject
     * when given, else with what the subject's level requires. Empty when compatible.
     */
    List<String> checkCompatibility(String subject, String version, String schemaText) {
        Parsed parsed = parse(schemaText);
        List<Compatibility.Versioned> against;
        Compatibility level = level(subject);
        if (version == null) {
            against = history(subject);
        } else {
            SchemaVersion target = version(subject, version);
            if (parseVersion(version) == -1) {
                against = history(subject);
            } else {
                against = List.of(new Compatibility.Versioned(target.version(), parsedSchema(target.id())));
            }
        }
        return level.check(parsed.schema(), against);
    }

    synchronized Compatibility globalLevel() {
        return globalLevel;
    }

    /** The level configured for {@code subject} itself, if any. */
    synchronized Optional<Compatibility> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** Sets the level of {@code subject}, or the global level when {@code subject} is null. */
    void setLevel(String subject, Compatibility level) {
        writes.lock();
        try {
            ObjectNode key = MAPPER.createObjectNode().put("keytype", "CONFIG").put("subject", subject).put("magic", 0);
            ObjectNode value = MAPPER.createObjectNode().put("compatibilityLevel", level.name());
            append(key.toString(), value.toString());
            synchronized (this) {
                applyLevel(subject, level);
            }
            LOG.info("Compatibility of {} set to {}", subject == null ? "the registry" : subject, level);
        } finally {
            writes.unlock();
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private synchronized Compatibility level(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    private synchronized Optional<SchemaVersion> find(String subject, String canonical) {
        return subjects.getOrDefault(subject, List.of()).stream().filter(v -> v.schema().equals(canonical))
                .findFirst();
    }

    private synchronized List<Compatibility.Versioned> history(String subject) {
        List<Compatibility.Versioned> history = new ArrayList<>();
        for (SchemaVersion version : subjects.getOrDefault(subject, List.of())) {
            history.add(new Compatibility.Versioned(version.version(), parsedSchema(version.id())));
        }
        return history;
    }

    private synchronized Schema parsedSchema(int id) {
        return parsedById.computeIfAbsent(id, key -> new Schema.Parser().parse(schemasById.get(key)));
    }

    private List<SchemaVersion> versionsOf(String subject) {
        List<SchemaVersion> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    private int nextId() {
        return schemasById.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
    }

    private void apply(SchemaVersion added, Schema parsed) {
        schemasById.putIfAbsent(added.id(), added.schema());
        if (parsed != null) {
            parsedById.putIfAbsent(added.id(), parsed);
        }
        idsBySchema.putIfAbsent(added.schema(), added.id());
        List<SchemaVersion> versions = subjects.computeIfAbsent(added.subject(), s -> new ArrayList<>());
        versions.removeIf(v -> v.version() == added.version());
        versions.add(added);
        versions.sort((a, b) -> Integer.compare(a.version(), b.version()));
    }

    private void applyLevel(String subject, Compatibility level) {
        if (subject == null) {
            globalLevel = level;
        } else {
            subjectLevels.put(subject, level);
        }
    }

    private void append(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(TOPIC, 0, key, value)).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new RegistryException(500, 50001, "Error in the backend data store: cannot write to " + TOPIC
                    + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(500, 50001, "Interrupted writing to " + TOPIC, e);
        }
    }

    private void restore(String bootstrapServers) {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        int records = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "embedded-schema-registry-restore",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + TOPIC + " to its end offset " + end);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    restore(record);
                    records++;
                }
            }
        }
        LOG.debug("Restored {} records from {}: {} schemas, {} subjects", records, TOPIC, schemasById.size(),
                subjects.size());
    }

    private synchronized void restore(ConsumerRecord<String, String> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        try {
            JsonNode key = MAPPER.readTree(record.key());
            JsonNode value = MAPPER.readTree(record.value());
            switch (key.path("keytype").asText()) {
                case "SCHEMA" -> {
                    if (!value.path("deleted").asBoolean(false)) {
                        apply(new SchemaVersion(value.path("subject").asText(), value.path("version").asInt(),
                                value.path("id").asInt(), CanonicalSchema.of(value.path("schema").asText())), null);
                    }
                }
                case "CONFIG" -> applyLevel(key.path("subject").isTextual() ? key.path("subject").asText() : null,
                        Compatibility.parse(value.path("compatibilityLevel").asText()));
                default -> LOG.debug("Ignoring {} record at offset {}", TOPIC, record.offset());
            }
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("Ignoring unreadable {} record at offset {}: {}", TOPIC, record.offset(), e.toString());
        }
    }

    private static void createTopic(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-schema-registry-admin"))) {
            NewTopic topic = new NewTopic(TOPIC, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"));
            try {
                admin.createTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create " + TOPIC + ": " + e.getCause(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("timed out creating " + TOPIC, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted creating " + TOPIC, e);
            }
            TopicProvisioner.awaitVisible(admin, List.of(TOPIC));
        }
    }

    private static String schemaKey(String subject, int version) {
        return MAPPER.createObjectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version)
                .put("magic", 1).toString();
    }

    private static String schemaValue(SchemaVersion version) {
        return MAPPER.createObjectNode().put("subject", version.subject()).put("version", version.version())
                .put("id", version.id()).put("schema", version.schema()).put("deleted", false).toString();
    }

    private static int parseVersion(String version) {
        if ("latest".equals(version)) {
            return -1;
        }
        try {
            int number = Integer.parseInt(version);
            if (number == -1 || number >= 1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new RegistryException(422, 42202, "The specified version '" + version + "' is not a valid version id."
                + " Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    private static Parsed parse(String schemaText) {
        if (schemaText == null || schemaText.isBlank()) {
            throw new RegistryException(422, 42201, "Invalid schema: empty");
        }
        try {
            String canonical = CanonicalSchema.of(schemaText);
            return new Parsed(canonical, new Schema.Parser().parse(canonical));
        } catch (IllegalArgumentException | AvroRuntimeException e) {
            throw new RegistryException(422, 42201, "Invalid schema: " + e.getMessage(), e);
        }
    }

    /** One version of one subject. */
    record SchemaVersion(String subject, int version, int id, String schema) {
    }

    private record Parsed(String canonical, Schema schema) {
    }
}

package dev.tollgate.kafka;

import dev.tollgate.events.Topics;
import dev.tollgate.kafka.registry.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in this JVM: one KRaft node that is both broker and controller, listening on
 * {@code 127.0.0.1}, plus the embedded schema registry ({@link EmbeddedSchemaRegistry}) and every topic of
 * {@link Topics#ALL}. Used by {@code tollgate dev} and by every module's integration tests (through
 * {@link EmbeddedKafkaExtension}).
 *
 * <p>The data directory survives restarts: storage is formatted only when it is not formatted yet, the Kafka port
 * stays the same across {@link #stopBroker()} / {@link #restartBroker()}, and the registry keeps its schemas in the
 * {@code _schemas} topic, so ids are stable across restarts on the same directory.
 *
 * <p>With {@link Builder#saslScramUser(String, String)} the broker also listens on a second port,
 * {@code SASL_PLAINTEXT} with SCRAM-SHA-512 ({@link #saslBootstrapServers()}), and the users are created at format
 * time. The fixture's own clients (readiness check, topic creation, the schema registry) and the inter-broker and
 * controller traffic keep using the loopback {@code PLAINTEXT} listener, whose principal is {@code User:ANONYMOUS}:
 * a broker that also enables an authorizer must make that principal a super user (a test-fixture affordance; the
 * production deployment has no PLAINTEXT listener at all).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int requestedRegistryPort;
    private final boolean createTopics;
    private final Map<String, String> brokerOverrides;
    private final Runnable onBrokerStarted;
    private final Map<String, String> scramUsers;

    private int kafkaPort;
    private int saslPort;
    private KafkaRaftServer server;
    private EmbeddedSchemaRegistry registry;
    private boolean closed;

    private EmbeddedKafka(Builder builder) {
        this.ownsDataDir = builder.dataDir == null;
        this.dataDir = ownsDataDir ? createTempDir() : builder.dataDir.toAbsolutePath();
        this.kafkaPort = builder.kafkaPort;
        this.requestedRegistryPort = builder.registryPort;
        this.createTopics = builder.createTopics;
        this.brokerOverrides = Map.copyOf(builder.brokerProperties);
        this.onBrokerStarted = builder.onBrokerStarted;
        this.scramUsers = Map.copyOf(builder.scramUsers);
    }

    /** A builder with every default: a temporary data directory, free ports, the contract topics created. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats storage if needed, starts the broker and waits until it answers, creates the topics of
     * {@link Topics#ALL} that are missing (unless disabled), then starts the schema registry. Returns this.
     */
    public synchronized EmbeddedKafka start() {
        if (server != null || registry != null || closed) {
            throw new IllegalStateException("EmbeddedKafka can be started once");
        }
        long begin = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
            if (kafkaPort == 0) {
                kafkaPort = FreePorts.next();
            } else {
                FreePorts.reserve(kafkaPort);
            }
            if (saslEnabled()) {
                saslPort = FreePorts.next();
            }
            startBroker();
            LOG.debug("Broker ready after {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
            onBrokerStarted.run();
            if (createTopics) {
                try (Admin admin = admin()) {
                    List<String> created = TopicProvisioner.createMissing(admin, Topics.ALL);
                    LOG.debug("Created topics {} after {} ms", created,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
                }
            }
            registry = EmbeddedSchemaRegistry.start(bootstrapServers(), requestedRegistryPort);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the embedded Kafka broker in " + dataDir, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Embedded Kafka ready in {} ms: bootstrap {}, schema registry {}, data {}",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), bootstrapServers(), schemaRegistryUrl(),
                dataDir);
        return this;
    }

    /** {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        requirePort();
        return HOST + ":" + kafkaPort;
    }

    /**
     * {@code 127.0.0.1:PORT} of the {@code SASL_PLAINTEXT} (SCRAM-SHA-512) listener, which exists only when the
     * builder was given at least one {@link Builder#saslScramUser(String, String) SCRAM user}.
     */
    public String saslBootstrapServers() {
        requirePort();
        if (!saslEnabled()) {
            throw new IllegalStateException("the embedded Kafka broker has no SASL listener (no SCRAM user given)");
        }
        return HOST + ":" + saslPort;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String schemaRegistryUrl() {
        EmbeddedSchemaRegistry current = registry;
        if (current == null) {
            throw new IllegalStateException("the schema registry is not started");
        }
        return current.url();
    }

    /** The broker's data directory (a temporary one unless the builder was given one). */
    public Path dataDir() {
        return dataDir;
    }

    /** A new Admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"));
    }

    /**
     * Every record committed on {@code topic} so far ({@code read_committed}, from the beginning of each partition to
     * its end offset when asked), keys as UTF-8 strings, values as bytes: what a test asserts a topic holds.
     */
    public List<ConsumerRecord<String, byte[]>> readCommitted(String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Stops the broker (for fault tests). The registry keeps answering reads from memory; writes fail. */
    public synchronized void stopBroker() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        stopping.shutdown();
        stopping.awaitShutdown();
        LOG.info("Embedded Kafka broker stopped ({})", bootstrapServers());
    }

    /** Starts the broker again on the same data directory and port, after {@link #stopBroker()}. */
    public synchronized void restartBroker() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        stopBroker();
        startBroker();
    }

    /** Stops the registry and the broker; deletes the data directory when it was a temporary one. Quiet. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registry != null) {
            quietly("schema registry", registry::close);
            registry = null;
        }
        quietly("broker", this::stopBroker);
        if (ownsDataDir) {
            quietly("temporary data directory", () -> deleteRecursively(dataDir));
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + (kafkaPort == 0 ? "not started" : bootstrapServers()) + ", " + dataDir + "]";
    }

    private void startBroker() {
        requireFree(kafkaPort);
        // Never the Kafka port, which is free to the kernel again after stopBroker().
        int controllerPort = FreePorts.next();
        Map<String, String> props = brokerConfig(controllerPort);
        KafkaConfig config = new KafkaConfig(props, false);
        format();
        KafkaRaftServer starting = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            starting.startup();
        } catch (RuntimeException e) {
            starting.shutdown();
            starting.awaitShutdown();
            throw new IllegalStateException("the embedded Kafka broker did not start on " + bootstrapServers() + ": "
                    + e.getMessage(), e);
        }
        server = starting;
        awaitReady();
    }

    private Map<String, String> brokerConfig(int controllerPort) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        props.put("listeners",
                "PLAINTEXT://" + HOST + ":" + kafkaPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + kafkaPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (saslEnabled()) {
            props.put("listeners", props.get("listeners") + ",SASL://" + HOST + ":" + saslPort);
            props.put("advertised.listeners", props.get("advertised.listeners") + ",SASL://" + HOST + ":" + saslPort);
            props.put("listener.security.protocol.map", props.get("listener.security.protocol.map")
                    + ",SASL:SASL_PLAINTEXT");
            props.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
            // Server side of SCRAM: the credentials live in the cluster metadata, the login module needs none.
            props.put("listener.name.sasl." + SCRAM_MECHANISM.toLowerCase(Locale.ROOT)
                    + ".sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir().toString());
        // A single node: every internal topic has one replica.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "10");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "10");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("num.partitions", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Small footprint: a laptop, a CI runner, many brokers in parallel test JVMs.
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        props.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
        props.put("log.index.size.max.bytes", Integer.toString(1024 * 1024));
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("background.threads", "4");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("log.cleaner.threads", "1");
        props.put("auto.leader.rebalance.enable", "false");
        props.putAll(brokerOverrides);
        return props;
    }

    /** Formats the log directory unless it is formatted already: restarts keep the cluster id and the data. */
    private void format() {
        if (Files.exists(logDir().resolve("meta.properties"))) {
            return;
        }
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir().toString())
                .setHasDynamicQuorum(false)
                .addDirectory(logDir().toString());
        if (saslEnabled()) {
            formatter.setScramArguments(scramUsers.entrySet().stream()
                    .map(user -> SCRAM_MECHANISM + "=[name=" + user.getKey() + ",password=" + user.getValue() + "]")
                    .toList());
        }
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dataDir, e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the embedded Kafka broker is not ready after "
                                + READY_TIMEOUT.toSeconds() + " s", e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for the embedded Kafka broker", e);
                }
            }
        }
    }

    private boolean saslEnabled() {
        return !scramUsers.isEmpty();
    }

    /** The broker's one log directory, which also holds the metadata log. */
    private Path logDir() {
        return dataDir.resolve("kafka");
    }

    private void requirePort() {
        if (kafkaPort == 0) {
            throw new IllegalStateException("the embedded Kafka broker is not started");
        }
    }

    /** Fails with a one-line reason when {@code port} is taken, before Kafka logs its stack traces about it. */
    private static void requireFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + HOST + ":" + port + " for Kafka: " + e.getMessage()
                    + " (another broker running? choose another port)", e);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("embedded-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary data directory", e);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static void quietly(String what, ThrowingRunnable action) {
        try {
            action.run();
        } catch (Exception e) {
            LOG.warn("Closing the embedded {} failed: {}", what, e.toString());
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Settings of an {@link EmbeddedKafka}; every one has a default. */
    public static final class Builder {

        private Path dataDir;
        private int kafkaPort;
        private int registryPort;
        private boolean createTopics = true;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private Runnable onBrokerStarted = () -> { };
        private final Map<String, String> scramUsers = new LinkedHashMap<>();

        private Builder() {
        }

        /** Where the broker keeps its data; default a temporary directory deleted on close. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** The Kafka listener port; 0 (the default) picks a free one, kept across broker restarts. */
        public Builder kafkaPort(int kafkaPort) {
            this.kafkaPort = requirePort(kafkaPort);
            return this;
        }

        /** The schema registry's HTTP port; 0 (the default) picks a free one. */
        public Builder registryPort(int registryPort) {
            this.registryPort = requirePort(registryPort);
            return this;
        }

        /** Whether {@link #start()} creates the missing topics of {@link Topics#ALL}; default true. */
        public Builder createTopics(boolean createTopics) {
            this.createTopics = createTopics;
            return this;
        }

        /** A broker config that overrides the embedded defaults. */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Adds a SCRAM-SHA-512 user, created when the storage is formatted (a data directory formatted before keeps
         * the users it has), and with the first user a second listener, {@code SASL_PLAINTEXT} on its own free port
         * ({@link EmbeddedKafka#saslBootstrapServers()}). Names and passwords may not contain {@code , ] = "} or
         * spaces (the format tool's syntax).
         */
        public Builder saslScramUser(String name, String password) {
            scramUsers.put(requireScramToken(name, "name"), requireScramToken(password, "password"));
            return this;
        }

        /**
         * Runs {@code callback} during {@link EmbeddedKafka#start()} as soon as the broker answers, before the
         * topics and the registry exist (so {@code tollgate dev} can print the bootstrap address early).
         */
        public Builder onBrokerStarted(Runnable callback) {
            this.onBrokerStarted = Objects.requireNonNull(callback, "callback");
            return this;
        }

        /** The broker, not started yet: call {@link EmbeddedKafka#start()}. */
        public EmbeddedKafka build() {
            return new EmbeddedKafka(this);
        }

        /** Shorthand for {@code build().start()}. */
        public EmbeddedKafka start() {
            return build().start();
        }

        private static String requireScramToken(String value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isEmpty() || value.chars().anyMatch(c -> ",]=\"".indexOf(c) >= 0 || Character.isWhitespace(c))) {
                throw new IllegalArgumentException(
                        "a SCRAM " + what + " must be non-empty, without , ] = \" or spaces");
            }
            return value;
        }

        private static int requirePort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            return port;
        }
    }
}

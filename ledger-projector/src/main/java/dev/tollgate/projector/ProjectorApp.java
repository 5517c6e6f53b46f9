package dev.tollgate.projector;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.dlq.DlqDeserializationExceptionHandler;
import dev.tollgate.events.dlq.DlqProcessingExceptionHandler;
import dev.tollgate.events.health.HealthRoutes;
import dev.tollgate.events.health.ServiceHealth;
import dev.tollgate.events.metrics.ServiceMeters;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.projector.api.ProjectionStores;
import dev.tollgate.projector.api.QueryApi;
import dev.tollgate.projector.api.RunVerifier;
import dev.tollgate.projector.verify.LedgerReader;
import dev.tollgate.projector.verify.LedgerVerifier;
import dev.tollgate.projector.verify.RunSpan;
import dev.tollgate.projector.verify.RunVerification;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger-projector service: the {@link ProjectorTopology} on Kafka Streams ({@code exactly_once_v2}, DLQ
 * handlers), and the {@link QueryApi} over its stores. Reads tollgate.ledger.v1, tollgate.identities.v1 and
 * tollgate.gateway-keys.v1; writes only its own changelog and repartition topics and tollgate.dlq.v1.
 *
 * <p>{@link #ready()} is true only while Streams is RUNNING; the API answers 503 otherwise. An uncaught exception
 * shuts the client down rather than limping on, which is fatal ({@link #health()}: {@code /health/live} goes DOWN and
 * the launcher exits non-zero). {@link #close()} leaves the consumer group.
 */
public final class ProjectorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectorApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final ProjectorConfig config;
    private final KafkaStreams streams;
    private final Javalin http;
    private final String self;
    private final ServiceHealth health;
    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);

    private ProjectorApp(ProjectorConfig config, KafkaStreams streams, Javalin http, String self,
                         ServiceHealth health) {
        this.config = config;
        this.streams = streams;
        this.http = http;
        this.self = self;
        this.health = health;
    }

    /**
     * Starts the HTTP API and the Streams client and returns; {@link #ready()} turns true once the stores are
     * restored and the client is RUNNING.
     */
    public static ProjectorApp start(ProjectorConfig config) {
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(config.schemaRegistryUrl()));
        Topology topology = ProjectorTopology.build(config, serdes);
        // The HTTP port must be known before Streams starts, because it is this instance's application.server.
        DeferredStores stores = new DeferredStores();
        PrometheusMeterRegistry meters = ServiceMeters.prometheus();
        QueryApi api = new QueryApi(stores, stores::verify, Duration.ofMillis(config.forwardTimeoutMs()), meters);
        ServiceHealth health = new ServiceHealth("projector");
        Javalin http = api.start(config.httpHost(), config.httpPort(), cfg -> HealthRoutes.register(cfg, health));
        String self = config.applicationServer().orElse("localhost:" + http.port());
        HostInfo host = HostInfo.buildFromEndpoint(self);
        KafkaStreams streams;
        try {
            Properties props = streamsProperties(config, self);
            // Processors and the dead-letter handlers find the registry among the app's configs.
            props.put(ServiceMeters.REGISTRY_CONFIG, meters);
            streams = new KafkaStreams(topology, props);
        } catch (RuntimeException e) {
            http.stop();
            throw e;
        }
        ProjectorApp app = new ProjectorApp(config, streams, http, self, health);
        health.readyWhen(() -> app.state.get() == KafkaStreams.State.RUNNING, () -> app.state.get().name());
        ServiceMeters.bindStreams(streams, meters, "ledger-projector", app.state::get);
        StreamsStores local = new StreamsStores(streams, HostInfo.unavailable());
        Gauge.builder("tollgate.approvals.held", local, ProjectorApp::heldApprovals).strongReference(true)
                .description("Tool calls waiting for an approver (this instance's partitions)").register(meters);
        streams.setStateListener(health.streamsListener((now, before) -> {
            app.state.set(now);
            LOG.info("Projector {} state {} -> {}", self, before, now);
        }));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Projector stream thread failed; shutting the client down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        stores.bind(new StreamsStores(streams, host), new LedgerVerifierService(config, serdes, streams));
        streams.start();
        LOG.info("Projector {} started: application.id={}, HTTP on port {}", self, config.applicationId(),
                http.port());
        return app;
    }

    static Properties streamsProperties(ProjectorConfig config, String applicationServer) {
        Properties props = new Properties();
        // Client settings first (e.g. SASL), so that none of them can change what the projector relies on.
        props.putAll(config.kafkaClientConfig());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitIntervalMs()));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(config.numStreamThreads()));
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DlqDeserializationExceptionHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DlqProcessingExceptionHandler.class.getName());
        // The global stores (identities, gateway keys) dead-letter their failures too.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put("processing.exception.handler.global.enabled", "true");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Streams' producer lingers 100 ms, as long as the commit interval: the changelog and repartition records of
        // a whole interval would go out only at the commit's flush, which then waits for all of them. Sending them
        // while processing overlaps that with the work (catching up on a long ledger is bounded by it).
        props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "10");
        return props;
    }

    /** Whether the projection is queryable (Streams RUNNING). */
    public boolean ready() {
        return health.ready();
    }

    /** Liveness, readiness and the first fatal error. */
    public ServiceHealth health() {
        return health;
    }

    /** The port the query API listens on. */
    public int httpPort() {
        return http.port();
    }

    /** This instance's application.server, {@code host:port}. */
    public String applicationServer() {
        return self;
    }

    /** The configuration it runs with. */
    public ProjectorConfig config() {
        return config;
    }

    /** Closes Streams (leaving the group, with a timeout), then the HTTP server. */
    @Override
    public void close() {
        LOG.info("Projector {} closing", self);
        health.closing();
        try {
            // Leave the group on a clean stop, so the partitions move at once instead of after the session timeout.
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(CLOSE_TIMEOUT));
        } finally {
            http.stop();
        }
    }

    /** Entries of this instance's approvals inbox partitions; NaN while the store cannot be queried. */
    private static double heldApprovals(StreamsStores stores) {
        try {
            ReadOnlyKeyValueStore<String, ?> inbox = stores.local(ProjectorTopology.APPROVAL_INBOX_STORE);
            long count = 0;
            try (KeyValueIterator<String, ?> it = inbox.all()) {
                while (it.hasNext()) {
                    it.next();
                    count++;
                }
            }
            return count;
        } catch (InvalidStateStoreException e) {
            return Double.NaN;
        }
    }

    /** Verifies runs from the raw ledger (only the run's span), with gateway keys from the global store. */
    private static final class LedgerVerifierService implements RunVerifier {
        private final ProjectorConfig config;
        private final LedgerVerifier verifier;
        private final StreamsStores stores;

        LedgerVerifierService(ProjectorConfig config, TollgateSerdes serdes, KafkaStreams streams) {
            this.config = config;
            this.stores = new StreamsStores(streams, HostInfo.unavailable());
            // The same decoder as `tollgate ledger verify`: the envelope fields verification reads, the full decoder
            // for any record it cannot read.
            this.verifier = LedgerVerifier.of(serdes, keyId -> {
                ReadOnlyKeyValueStore<String, GatewayKey> keys = stores.local(ProjectorTopology.GATEWAY_KEY_STORE);
                return Optional.ofNullable(keys.get(keyId));
            });
        }

        @Override
        public RunVerification verify(String runId) {
            // The run's span is kept by the same task as its view, so it is local wherever the route answers.
            RunSpan span = stores.<RunSpan>local(ProjectorTopology.RUN_OFFSET_STORE).get(runId);
            try (LedgerReader reader = new LedgerReader(config.bootstrapServers(), config.kafkaClientConfig(),
                    Duration.ofSeconds(30))) {
                // Without a span (state projected before spans were kept) the run's partition is read from 0.
                return verifier.verifyRun(runId, span == null ? reader.readRunPartition(runId)
                        : reader.readSpan(span));
            }
        }
    }

    /** Lets the HTTP server start (to learn its port) before the Streams client it queries exists. */
    private static final class DeferredStores implements ProjectionStores {
        private volatile ProjectionStores delegate;
        private volatile RunVerifier verifier;

        void bind(ProjectionStores delegate, RunVerifier verifier) {
            this.verifier = verifier;
            this.delegate = delegate;
        }

        RunVerification verify(String runId) {
            return verifier.verify(runId);
        }

        @Override
        public boolean ready() {
            return delegate != null && delegate.ready();
        }

        @Override
        public String self() {
            return delegate == null ? "" : delegate.self();
        }

        @Override
        public Owner owner(String store, String key) {
            return delegate.owner(store, key);
        }

        @Override
        public java.util.List<String> otherInstances(String store) {
            return delegate.otherInstances(store);
        }

        @Override
        public <V> ReadOnlyKeyValueStore<String, V> local(String store) {
            return delegate.local(store);
        }
    }
}

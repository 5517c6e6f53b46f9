package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.ToolDefinition;
import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.config.TransactionTuning;
import dev.tollgate.events.health.HealthRoutes;
import dev.tollgate.events.health.ServiceHealth;
import dev.tollgate.events.metrics.ServiceMeters;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.events.tracing.Tracing;
import dev.tollgate.gateway.journal.Journal;
import dev.tollgate.gateway.receipt.ReceiptSigner;
import dev.tollgate.gateway.tools.ToolRegistry;
import dev.tollgate.gateway.upstream.Upstreams;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tool gateway service. Reads approved calls from {@code tollgate.dispatch.v1} (consumer group
 * {@value GatewayTopics#GROUP_ID}, {@code read_committed}), runs them with the configured tools, and writes signed
 * {@code ToolCallResult}s to {@code tollgate.tool-results.v1} in Kafka transactions together with the consumed
 * offsets. Publishes its receipt-signing public key on {@code tollgate.gateway-keys.v1} at start. Owns the internal
 * journal topic {@code tollgate.gateway-journal.v1} (at-most-once markers, see {@link GatewayTopics#JOURNAL}) and
 * writes unreadable dispatch records to {@code tollgate.dlq.v1}. Optionally serves {@code GET /v1/keys} and the
 * health routes ({@code /health/live}, {@code /health/ready}) over HTTP. A dispatch loop that dies is fatal
 * ({@link #health()}), so the launcher exits non-zero instead of keeping a gateway that executes nothing. Beyond the
 * built-in tools it runs the upstream MCP servers' tools and the REST tools of its config ({@link Upstreams}), and
 * publishes the upstream tools' definitions on the compacted {@code tollgate.tool-catalog.v1}.
 */
public final class ToolGatewayApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ToolGatewayApp.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final GatewayConfig config;
    private final ReceiptSigner signer;
    private final GatewayKey publishedKey;
    private final Journal journal;
    private final RunScheduler scheduler;
    private final ExecutorService toolThreads;
    private final DispatchLoop loop;
    private final Thread loopThread;
    private final ServiceHealth health = new ServiceHealth("tool-gateway");
    private final Javalin http;
    private final PrometheusMeterRegistry meters = ServiceMeters.prometheus();
    private final Tracing tracing = Tracing.fromEnvironment("tollgate-tool-gateway");
    private final CatalogPublisher catalog;
    private final Upstreams upstreams;

    private ToolGatewayApp(GatewayConfig config, ToolRegistry tools) {
        this.config = config;
        prepareDirectories(config);
        this.signer = ReceiptSigner.loadOrCreate(config.signingPrivateKeyFile(), config.signingPublicKeyFile());
        if (config.createTopics()) {
            createTopics(config);
        }
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(config.schemaRegistryUrl()));
        serdes.registerAll(List.of(Topics.TOOL_RESULTS, Topics.GATEWAY_KEYS, Topics.TOOL_CATALOG));
        this.catalog = new CatalogPublisher(catalogProducerProps(config),
                serdes.value(Topics.TOOL_CATALOG).serializer());
        try {
            this.upstreams = Upstreams.start(config, tools, catalog::publish, Clock.systemUTC());
        } catch (RuntimeException e) {
            catalog.close();
            throw e;
        }

        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(config),
                new ByteArraySerializer(), new ByteArraySerializer());
        // Fences any previous incarnation with the same transactional.id and aborts its open transaction, so that
        // the journal's last stable offset moves past it before the journal is read.
        producer.initTransactions();
        this.journal = new Journal(config.bootstrapServers(), config.kafkaClientConfig(),
                "tollgate-gateway-journal-" + config.gatewayId());
        try {
            journal.start(START_TIMEOUT);
        } catch (RuntimeException e) {
            journal.close();
            producer.close(Duration.ZERO);
            throw e;
        }
        this.publishedKey = signer.gatewayKey(config.gatewayId(), Clock.systemUTC().instant()
                .truncatedTo(ChronoUnit.MILLIS));
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(Topics.GATEWAY_KEYS.name(),
                publishedKey.getKeyId().getBytes(StandardCharsets.UTF_8),
                serdes.value(Topics.GATEWAY_KEYS).serializer().serialize(Topics.GATEWAY_KEYS.name(), publishedKey)));
        producer.commitTransaction();
        LOG.info("tool-gateway {} publishes receipt key {}", config.gatewayId(), signer.keyId());

        this.scheduler = new RunScheduler(config.concurrency());
        AtomicInteger toolThreadCount = new AtomicInteger();
        this.toolThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tollgate-gateway-tool-" + toolThreadCount.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        CallProcessor processor = new CallProcessor(config, upstreams.registry(), signer, journal, toolThreads,
                Clock.systemUTC(), meters);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.loop = new DispatchLoop(config, consumer, producer, serdes.value(Topics.DISPATCH).deserializer(),
                serdes.value(Topics.TOOL_RESULTS).serializer(), processor, scheduler, journal,
                KeyRing.loadOrCreate(config.dispatchKeysFile()), meters, tracing);
        this.loopThread = new Thread(() -> {
            loop.run();
            health.fatal("the dispatch loop stopped", loop.failure());
        }, "tollgate-gateway-dispatch");
        health.readyWhen(() -> loop.healthy() && journal.healthy(), () -> loop.healthy() ? "CONSUMING" : "STARTING");
        new KafkaClientMetrics(consumer).bindTo(meters);
        new KafkaClientMetrics(producer).bindTo(meters);
        this.http = config.httpPort() >= 0 ? startHttp(config.httpPort()) : null;
    }

    /** The gateway's meters, served at {@code GET /metrics}. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** Starts a gateway with the built-in tools; returns once it is consuming. */
    public static ToolGatewayApp start(GatewayConfig config) {
        return start(config, ToolRegistry.builtIns(config));
    }

    /** Starts a gateway with the given tools (the built-ins plus or instead of others); returns once consuming. */
    public static ToolGatewayApp start(GatewayConfig config, ToolRegistry tools) {
        ToolGatewayApp app = new ToolGatewayApp(config, tools);
        app.loopThread.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!app.ready() && app.loop.failure() == null && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!app.ready()) {
            app.close();
            throw new IllegalStateException("tool-gateway did not start", app.loop.failure());
        }
        LOG.info("tool-gateway {} ready: {} tools, concurrency {}", config.gatewayId(),
                app.upstreams.registry().all().size(),
                config.concurrency());
        return app;
    }

    /** Whether the gateway is consuming and its journal is current. */
    public boolean ready() {
        return health.ready();
    }

    /** Liveness, readiness and the first fatal error (a dead dispatch loop). */
    public ServiceHealth health() {
        return health;
    }

    public String keyId() {
        return signer.keyId();
    }

    /** The key published on {@code tollgate.gateway-keys.v1} at start. */
    public GatewayKey publishedKey() {
        return publishedKey;
    }

    /** The port of the HTTP endpoint, if one is configured. */
    public Optional<Integer> httpPort() {
        return http == null ? Optional.empty() : Optional.of(http.port());
    }

    /** How often back-pressure paused consumption (for tests and metrics). */
    long backPressurePauses() {
        return loop.backPressurePauses();
    }

    /** Dispatches refused (to the DLQ, nothing run) because they carried no valid proof of the policy-processor. */
    public long unauthenticatedDispatches() {
        return loop.unauthenticatedDispatches();
    }

    /** Dispatch records consumed and not yet finished. */
    int inFlight() {
        return loop.inFlight();
    }

    public GatewayConfig config() {
        return config;
    }

    @Override
    public void close() {
        health.closing();
        loop.stop();
        try {
            loopThread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.close();
        toolThreads.shutdownNow();
        journal.close();
        upstreams.close();
        catalog.close();
        if (http != null) {
            http.stop();
        }
        LOG.info("tool-gateway {} stopped", config.gatewayId());
    }

    private static void prepareDirectories(GatewayConfig config) {
        try {
            Files.createDirectories(config.dataDir());
            Files.createDirectories(config.fsRoot());
            Files.createDirectories(config.docsRoot());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the gateway's directories", e);
        }
    }

    private static void createTopics(GatewayConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafkaClientConfig());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> topics = new ArrayList<>();
            for (TopicSpec<String, ?> spec : GatewayTopics.ALL) {
                topics.add(new NewTopic(spec.name(), Optional.of(spec.partitions()), Optional.empty())
                        .configs(spec.configs()));
            }
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name, e.getCause());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("cannot create topic " + name, e);
                }
            });
            awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
        }
    }

    /** A topic just created may have no leader yet; its first reads would stall until it has. */
    private static void awaitLeaders(Admin admin, List<String> names) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                boolean allLed = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values()
                        .stream().allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null));
                if (allLed) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.debug("topics not described yet: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("topics " + names + " have no leader after " + START_TIMEOUT);
    }

    private static Properties producerProps(GatewayConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafkaClientConfig());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-" + config.gatewayId());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        // Under load the loop begins a transaction right after the last commit, while the coordinator still writes
        // its markers; the refused first requests would be retried only after 100 ms (see TransactionTuning).
        props.putIfAbsent(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, TransactionTuning.RETRY_BACKOFF_MS);
        return props;
    }

    private static Properties catalogProducerProps(GatewayConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafkaClientConfig());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-catalog-" + config.gatewayId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return props;
    }

    /** The upstream tools' current definitions, by name (also on {@code tollgate.tool-catalog.v1}). */
    public Map<String, ToolDefinition> toolDefinitions() {
        return upstreams.definitions();
    }

    private static Properties consumerProps(GatewayConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafkaClientConfig());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-gateway-" + config.gatewayId());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GatewayTopics.GROUP_ID);
        // Static membership: a restarted instance takes its partitions back at once instead of after a rebalance.
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.gatewayId());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(config.sessionTimeoutMs()));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(DispatchLoop.resumeMargin(config)));
        long maxPollInterval = Math.max(300_000L, config.maxTimeout().plusMinutes(1).toMillis());
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(maxPollInterval));
        return props;
    }

    private Javalin startHttp(int port) {
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.port = port;
            HealthRoutes.register(cfg, health);
            cfg.routes.get("/metrics", ctx -> ctx.contentType(ServiceMeters.CONTENT_TYPE).result(meters.scrape()));
            cfg.routes.get("/v1/keys", ctx -> {
                ObjectNode body = JsonNodeFactory.instance.objectNode();
                ArrayNode keys = body.putArray("keys");
                keys.addObject()
                        .put("keyId", publishedKey.getKeyId())
                        .put("algorithm", publishedKey.getAlgorithm())
                        .put("publicKey", publishedKey.getPublicKey())
                        .put("gatewayId", publishedKey.getGatewayId())
                        .put("createdAt", publishedKey.getCreatedAt().toString());
                ctx.contentType("application/json").result(body.toString());
            });
        }).start();
    }
}

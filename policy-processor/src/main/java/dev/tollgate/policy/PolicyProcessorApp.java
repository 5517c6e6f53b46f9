package dev.tollgate.policy;

import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.events.health.HealthRoutes;
import dev.tollgate.events.health.ServiceHealth;
import dev.tollgate.events.metrics.ServiceMeters;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.events.tracing.Tracing;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy-processor service: configuration, then the topology, a Kafka Streams client with exactly_once_v2, a
 * state listener that drives {@link ServiceHealth} ({@code /health/ready} answers 200 only in RUNNING;
 * {@code GET /metrics} serves Prometheus: decisions, decision latency, dead letters, Streams state, commits and lag;
 * {@code /health/live} until the client fails), an uncaught-exception handler that shuts the client down rather than
 * limping on (which is fatal: {@link #health()}'s {@code fatalError()} completes and the launcher exits non-zero),
 * and {@link #close()} (streams with a timeout, leaving the consumer group so a restart is assigned at once, then
 * HTTP). Reads commands, tool results, identities, kill switches and policies; writes the ledger and dispatch.
 */
public final class PolicyProcessorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyProcessorApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final List<TopicSpec<String, ?>> TOPICS = List.of(Topics.COMMANDS, Topics.LEDGER, Topics.DISPATCH,
            Topics.TOOL_RESULTS, Topics.POLICIES, Topics.IDENTITIES, Topics.KILL_SWITCHES, Topics.ARTIFACTS,
            Topics.DLQ);

    private final KafkaStreams streams;
    private final Javalin http;
    private final ServiceHealth health = new ServiceHealth("policy-processor");
    private final PrometheusMeterRegistry meters = ServiceMeters.prometheus();
    private final Tracing tracing = Tracing.fromEnvironment("tollgate-policy-processor");
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;

    private PolicyProcessorApp(PolicyProcessorConfig config) {
        if (config.createTopics()) {
            createMissingTopics(config, config.applicationId());
        }
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(config.schemaRegistryUrl()));
        serdes.registerAll(List.of(Topics.LEDGER, Topics.DISPATCH, Topics.ARTIFACTS));
        Properties props = config.streamsProperties();
        // Processors and the dead-letter handlers find the registry among the app's configs.
        props.put(ServiceMeters.REGISTRY_CONFIG, meters);
        props.put(Tracing.CONFIG, tracing);
        streams = new KafkaStreams(PolicyTopology.build(config, serdes), props);
        ServiceMeters.bindStreams(streams, meters, "policy-processor", () -> state);
        health.readyWhen(() -> state == KafkaStreams.State.RUNNING, () -> state.name());
        streams.setStateListener(health.streamsListener((next, previous) -> {
            state = next;
            LOG.info("policy-processor {} -> {}", previous, next);
        }));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("policy-processor stream thread failed; shutting the client down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        http = config.httpPort() > 0 ? Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.port = config.httpPort();
            HealthRoutes.register(cfg, health);
            cfg.routes.get("/metrics", ctx -> ctx.contentType(ServiceMeters.CONTENT_TYPE).result(meters.scrape()));
        }) : null;
    }

    /** Starts the processor and returns; {@link #ready()} turns true once every task is RUNNING. */
    public static PolicyProcessorApp start(PolicyProcessorConfig config) {
        PolicyProcessorApp app = new PolicyProcessorApp(config);
        app.streams.start();
        if (app.http != null) {
            app.http.start();
        }
        return app;
    }

    /** Ready only in RUNNING: global stores (bundles compiled and warmed up) and run state restored. */
    public boolean ready() {
        return health.ready();
    }

    /** Liveness, readiness and the first fatal error. */
    public ServiceHealth health() {
        return health;
    }

    public KafkaStreams.State state() {
        return state;
    }

    /** The service's meters, served at {@code GET /metrics}. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** The HTTP port actually bound, or -1 without HTTP. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /**
     * Closes with a timeout, leaving the consumer group, so a restarted processor is assigned its tasks at once
     * instead of after the session timeout. {@code Duration.ZERO} abandons in-flight work and stays in the group,
     * as a crash would (tests use it).
     */
    public void close(Duration timeout) {
        health.closing();
        if (timeout.isZero()) {
            streams.close(timeout);
        } else {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(timeout));
        }
        if (http != null) {
            http.stop();
        }
        tracing.close();
    }

    private static void createMissingTopics(PolicyProcessorConfig config, String applicationId) {
        // The same client settings as the Streams app (streams.* pass-through: SASL and so on).
        Properties adminConfig = new Properties();
        config.streamsProperties().forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key.toString())) {
                adminConfig.put(key, value);
            }
        });
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> wanted = new ArrayList<>(TOPICS.stream()
                    .map(t -> new NewTopic(t.name(), t.partitions(), (short) -1).configs(t.configs())).toList());
            // The limit topics are the processor's own (named after its application id, like Streams' internal
            // topics, so the ACL prefix covers them), but a global store cannot read a topic Streams creates.
            wanted.add(new NewTopic(PolicyTopology.limitFactsTopic(applicationId), Topics.RUN_PARTITIONS, (short) -1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(1).toMillis()),
                            // Retention counts from arrival: a fact of an old-event-time command is still summed.
                            TopicSpec.TIMESTAMP_TYPE, TopicSpec.LOG_APPEND_TIME)));
            wanted.add(new NewTopic(PolicyTopology.limitTotalsTopic(applicationId), 1, (short) -1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name()))
                    .collect(Collectors.toList());
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
                LOG.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                throw new IllegalStateException("cannot create topics: " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}

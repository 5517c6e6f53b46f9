package dev.tollgate.policy;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.events.metrics.ServiceMeters;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.events.tracing.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy-processor service: configuration, then the topology, a Kafka Streams client with exactly_once_v2, a
 * state listener that drives readiness ({@code GET /health} answers 200 only in RUNNING; {@code GET /metrics} serves
 * Prometheus: decisions, decision latency, dead letters, Streams state, commits and lag), an uncaught-exception
 * handler that shuts the client down rather than limping on, and {@link #close()} (streams with a timeout, then
 * HTTP). Reads commands, tool results, identities, kill switches and policies; writes the ledger and dispatch.
 */
public final class PolicyProcessorApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyProcessorApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final List<TopicSpec<String, ?>> TOPICS = List.of(Topics.COMMANDS, Topics.LEDGER, Topics.DISPATCH,
            Topics.TOOL_RESULTS, Topics.POLICIES, Topics.IDENTITIES, Topics.KILL_SWITCHES, Topics.ARTIFACTS,
            Topics.DLQ);

    private final KafkaStreams streams;
    private final HttpServer http;
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
        streams.setStateListener((next, previous) -> {
            state = next;
            LOG.info("policy-processor {} -> {}", previous, next);
        });
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("policy-processor stream thread failed; shutting the client down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        http = config.httpPort() > 0 ? health(config.httpPort()) : null;
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
        return state == KafkaStreams.State.RUNNING;
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
        return http == null ? -1 : http.getAddress().getPort();
    }

    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /** Closes with a timeout; {@code Duration.ZERO} abandons in-flight work as a crash would (tests use it). */
    public void close(Duration timeout) {
        streams.close(timeout);
        if (http != null) {
            http.stop(0);
        }
        tracing.close();
    }

    private HttpServer health(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
            server.createContext("/health", exchange -> {
                boolean up = ready();
                byte[] body = ("{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"state\":\"" + state + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(up ? 200 : 503, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.createContext("/metrics", exchange -> {
                byte[] body = meters.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", ServiceMeters.CONTENT_TYPE);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve /health on port " + port, e);
        }
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

package dev.tollgate.intake;

import dev.tollgate.events.TopicSpec;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.health.ServiceHealth;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.events.tracing.Tracing;
import dev.tollgate.intake.admin.AdminReadRoutes;
import dev.tollgate.intake.admin.KillSwitchAdmin;
import dev.tollgate.intake.admin.KillSwitchIndex;
import dev.tollgate.intake.admin.PolicyAdmin;
import dev.tollgate.intake.admin.PolicyIndex;
import dev.tollgate.intake.console.ConsoleRoutes;
import dev.tollgate.intake.console.LedgerApprovals;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.RateLimiter;
import dev.tollgate.intake.identity.IdentityAdmin;
import dev.tollgate.intake.identity.IdentityIndex;
import dev.tollgate.intake.kafka.KafkaSettings;
import dev.tollgate.intake.kafka.Publisher;
import dev.tollgate.intake.kafka.TopicReader;
import dev.tollgate.intake.ledger.LedgerWatcher;
import dev.tollgate.intake.ledger.ProjectorHttpLookup;
import dev.tollgate.intake.ledger.ProjectorLookup;
import dev.tollgate.intake.mcp.RunSessions;
import dev.tollgate.intake.mcp.ToolCatalog;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intake-service: the authenticated HTTP API for agents, approvers and admins (DESIGN.md, "HTTP API").
 *
 * <p>Writes {@code tollgate.commands.v1}, {@code tollgate.identities.v1}, {@code tollgate.policies.v1},
 * {@code tollgate.kill-switches.v1} (and the DLQ). Reads {@code tollgate.identities.v1} from the beginning (the
 * API-key index), {@code tollgate.ledger.v1} from a bounded recent window before its end (whose runs, held calls,
 * call outcomes, for waiters), {@code tollgate.tool-results.v1} from the end (tool output for {@code ?waitMs} and MCP), and
 * {@code tollgate.kill-switches.v1} and {@code tollgate.policies.v1} from the beginning (the admin read views and
 * the web console at {@code /console}, which reads run data from the projector's query API; and the tools MCP's
 * {@code tools/list} shows). What is older than the
 * ledger window (owners of older runs, older held calls) is looked up in the projector's stores
 * ({@code projector.url}). Owns no state store, never replays the ledger's history, and is ready once its readers
 * have caught up, in the same time whatever the ledger's size.
 */
public final class IntakeApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeApp.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final PrometheusMeterRegistry meters;
    private final ServiceHealth health = new ServiceHealth("intake");
    private final Tracing tracing = Tracing.fromEnvironment("tollgate-intake");
    private TopicReader identityReader;
    private TopicReader ledgerReader;
    private TopicReader adminReader;
    private Javalin server;
    private volatile boolean closed;

    private IntakeApp() {
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** Starts the service and returns once it serves requests with its views caught up. */
    public static IntakeApp start(IntakeConfig config) {
        IntakeApp app = new IntakeApp();
        try {
            app.doStart(config);
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    private void doStart(IntakeConfig config) {
        LOG.info("starting intake-service with {}", config);
        closeables.add(tracing);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        closeables.add(gc);

        if (config.getBoolean(IntakeConfig.CREATE_TOPICS)) {
            createTopics(config);
        }
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(config.schemaRegistryUrl()));
        serdes.registerAll(List.of(Topics.COMMANDS, Topics.IDENTITIES, Topics.POLICIES, Topics.KILL_SWITCHES,
                Topics.LEDGER, Topics.TOOL_RESULTS));

        KeyRing commandKeys = config.optional(IntakeConfig.COMMAND_KEYS_FILE).map(f -> KeyRing.load(Path.of(f)))
                .orElseGet(() -> {
                    LOG.warn("no command.keys.file: commands are signed with a key no policy-processor shares");
                    return KeyRing.random();
                });
        Publisher publisher = new Publisher(KafkaSettings.producer(config, "tollgate-intake-producer"), serdes,
                commandKeys);
        closeables.add(publisher);
        KafkaClientMetrics producerMetrics = new KafkaClientMetrics(publisher.producer());
        producerMetrics.bindTo(meters);
        closeables.add(producerMetrics);

        Clock clock = Clock.systemUTC();
        IdentityIndex identities = new IdentityIndex(serdes);
        identityReader = new TopicReader("identities",
                KafkaSettings.consumer(config.bootstrapServers(), "tollgate-intake-identities",
                        config.kafkaOverrides()),
                Map.of(Topics.IDENTITIES.name(), true), identities::handle, publisher, meters)
                .onFailure(e -> health.fatal("the identities reader stopped", e)).start();
        LedgerWatcher ledger = new LedgerWatcher(serdes, config.getInt(IntakeConfig.INDEX_MAX_ENTRIES),
                config.getInt(IntakeConfig.MAX_WAITERS));
        // A bounded recent window of the ledger, never its history: start-up costs the same whatever its size.
        ledgerReader = TopicReader.withWindows("ledger",
                KafkaSettings.consumer(config.bootstrapServers(), "tollgate-intake-ledger", config.kafkaOverrides()),
                Map.of(Topics.LEDGER.name(), config.getLong(IntakeConfig.LEDGER_RECENT_RECORDS),
                        Topics.TOOL_RESULTS.name(), 0L), ledger::handle, publisher, meters)
                .onFailure(e -> health.fatal("the ledger reader stopped", e)).start();
        ProjectorLookup projector = config.optional(IntakeConfig.PROJECTOR_URL)
                .<ProjectorLookup>map(url -> new ProjectorHttpLookup(url,
                        Duration.ofMillis(config.getLong(IntakeConfig.PROJECTOR_TIMEOUT_MS))))
                .orElse(ProjectorLookup.NONE);
        RunSessions mcpSessions = new RunSessions(config.getInt(IntakeConfig.INDEX_MAX_ENTRIES));
        ledger.addListener(mcpSessions::onEvent);
        Gauge.builder("tollgate.intake.waiters", ledger, LedgerWatcher::waiting)
                .description("Tool-call requests waiting for their outcome").register(meters);
        Gauge.builder("tollgate.intake.identities", identities, IdentityIndex::size)
                .description("Identities known").register(meters);

        KillSwitchIndex killSwitchIndex = new KillSwitchIndex(serdes);
        PolicyIndex policyIndex = new PolicyIndex(serdes);
        ToolCatalog mcpTools = new ToolCatalog(serdes);
        adminReader = new TopicReader("admin",
                KafkaSettings.consumer(config.bootstrapServers(), "tollgate-intake-admin", config.kafkaOverrides()),
                Map.of(Topics.KILL_SWITCHES.name(), true, Topics.POLICIES.name(), true), record -> {
                    if (record.topic().equals(Topics.KILL_SWITCHES.name())) {
                        killSwitchIndex.handle(record);
                    } else {
                        policyIndex.handle(record);
                        mcpTools.handle(record);
                    }
                }, publisher, meters).start();

        IdentityAdmin identityAdmin = new IdentityAdmin(publisher, clock);
        awaitCaughtUp(identityReader);
        config.optional(IntakeConfig.ADMIN_KEY).ifPresent(key -> identityAdmin
                .upsertBootstrapAdmin(key, identities.byPrincipalId(IdentityAdmin.BOOTSTRAP_ADMIN).orElse(null))
                .ifPresent(written -> {
                    identities.apply(written.identity(), written.offset());
                    LOG.info("bootstrap admin {} upserted", IdentityAdmin.BOOTSTRAP_ADMIN);
                }));
        awaitCaughtUp(ledgerReader);
        awaitCaughtUp(adminReader);

        IntakeRoutes.Deps deps = new IntakeRoutes.Deps(config, identities, identityAdmin, ledger, publisher,
                new KillSwitchAdmin(publisher, clock), new PolicyAdmin(publisher, clock, policyIndex),
                new RateLimiter(config.getLong(IntakeConfig.RATE_LIMIT_PER_SECOND),
                        config.getLong(IntakeConfig.RATE_LIMIT_BURST), System::nanoTime),
                meters, this::ready, clock, projector, mcpSessions, mcpTools, tracing);
        ConsoleRoutes.Deps console = new ConsoleRoutes.Deps(identities, identityAdmin, deps.killSwitches(),
                killSwitchIndex, policyIndex, new LedgerApprovals(ledger, publisher, clock),
                config.get(IntakeConfig.CONSOLE_QUERY_URL),
                Duration.ofMinutes(config.getLong(IntakeConfig.CONSOLE_SESSION_MINUTES)), deps.rateLimiter(), clock);
        AdminReadRoutes adminReads = new AdminReadRoutes(new Authenticator(identities, deps.rateLimiter()),
                identities, killSwitchIndex, policyIndex);
        health.readyWhen(this::ready, () -> ready() ? "READY" : "STARTING");
        server = IntakeRoutes.create(deps, health, routes -> {
            adminReads.register(routes);
            closeables.add(ConsoleRoutes.register(routes, console));
        }).start();
        LOG.info("intake-service listening on port {}", server.port());
    }

    private static void awaitCaughtUp(TopicReader reader) {
        try {
            if (!reader.awaitCaughtUp(START_TIMEOUT)) {
                throw new IllegalStateException("intake could not read its topics within " + START_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /** Creates the topics intake reads and writes when they do not exist (as {@link Topics} declares them). */
    static void createTopics(IntakeConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaOverrides());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec<String, ?> topic : Topics.ALL) {
                if (!existing.contains(topic.name())) {
                    missing.add(new NewTopic(topic.name(), topic.partitions(), (short) -1).configs(topic.configs()));
                }
            }
            for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(missing).values().entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + result.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + config.bootstrapServers(), e);
        }
    }

    /** Ready: serving, with the identity and ledger views caught up and still being read. */
    public boolean ready() {
        return !closed && server != null && identityReader.caughtUp() && ledgerReader.caughtUp()
                && adminReader.caughtUp() && identityReader.alive() && ledgerReader.alive() && adminReader.alive();
    }

    /** Liveness, readiness and the first fatal error (a topic reader that stopped). */
    public ServiceHealth health() {
        return health;
    }

    /** The HTTP port the server listens on. */
    public int port() {
        return server.port();
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        health.closing();
        if (server != null) {
            server.stop();
        }
        if (ledgerReader != null) {
            ledgerReader.close();
        }
        if (adminReader != null) {
            adminReader.close();
        }
        if (identityReader != null) {
            identityReader.close();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while closing: {}", e.toString());
            }
        }
        meters.close();
        LOG.info("intake-service stopped");
    }
}

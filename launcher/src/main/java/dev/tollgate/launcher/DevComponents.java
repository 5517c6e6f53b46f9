package dev.tollgate.launcher;

import dev.tollgate.events.Identity;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.GatewayDevDefaults;
import dev.tollgate.gateway.ToolGatewayApp;
import dev.tollgate.intake.IntakeApp;
import dev.tollgate.intake.IntakeConfig;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.DefaultBundle;
import dev.tollgate.projector.ProjectorApp;
import dev.tollgate.projector.ProjectorConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The services {@code tollgate dev} runs next to the embedded broker, in start order. Each entry starts one
 * service on the dev stack's broker and registry, with its data under the dev data directory.
 */
final class DevComponents {

    private DevComponents() {
    }

    /** Every service, in start order; intake upserts the bootstrap admin with {@code adminKey}. */
    static List<DevComponent.Factory> all(String adminKey) {
        return List.of(DevComponents::policyProcessor, DevComponents::toolGateway, DevComponents::projector,
                context -> intake(context, adminKey));
    }

    /** The bootstrap admin key: {@code TOLLGATE_ADMIN_KEY} when set, else a fresh one. */
    static String adminKey() {
        String fromEnv = System.getenv("TOLLGATE_ADMIN_KEY");
        return fromEnv == null || fromEnv.isBlank() ? ApiKeys.generate() : fromEnv;
    }

    /**
     * The intake service keys of the dev stack (intake signs commands, the processor verifies them), created
     * owner-only under the data directory on first start. Never printed.
     */
    static Path commandKeysFile(DevComponent.DevContext context) {
        Path file = context.settings().dataDir().resolve("secrets").resolve("command-keys");
        KeyRing.loadOrCreate(file);
        return file;
    }

    /** The dispatch keys of the dev stack (the processor signs dispatches, the gateway verifies them). */
    static Path dispatchKeysFile(DevComponent.DevContext context) {
        Path file = GatewayDevDefaults.dispatchKeysFile(context.settings().dataDir());
        KeyRing.loadOrCreate(file);
        return file;
    }


    /** The dev approver's key: {@code TOLLGATE_APPROVER_KEY} when set, else a fresh one. */
    static String approverKey() {
        String fromEnv = System.getenv("TOLLGATE_APPROVER_KEY");
        return fromEnv == null || fromEnv.isBlank() ? ApiKeys.generate() : fromEnv;
    }

    /**
     * The intake API (and the web console) on --intake-port; it upserts the bootstrap admin identity for
     * {@code adminKey}. The console reads run data from the projector's query API on --query-port.
     */
    static DevComponent intake(DevComponent.DevContext context, String adminKey) throws Exception {
        String approverKey = approverKey();
        upsertDevApprover(context, approverKey);
        Map<String, String> values = new HashMap<>(Map.of(
                IntakeConfig.BOOTSTRAP_SERVERS.name(), context.bootstrapServers(),
                IntakeConfig.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl(),
                IntakeConfig.HTTP_HOST.name(), "127.0.0.1",
                IntakeConfig.HTTP_PORT.name(), Integer.toString(context.settings().intakePort()),
                IntakeConfig.ADMIN_KEY.name(), adminKey,
                IntakeConfig.CONSOLE_QUERY_URL.name(), "http://127.0.0.1:" + context.settings().queryPort(),
                // A browser on this machine may use /mcp (e.g. the MCP Inspector); no other Origin may.
                IntakeConfig.MCP_ALLOWED_ORIGINS.name(), "http://localhost:*,http://127.0.0.1:*"));
        // The intake service keys, shared with the policy-processor: intake signs each command it produces with them.
        values.put(IntakeConfig.COMMAND_KEYS_FILE.name(), commandKeysFile(context).toString());
        if (context.settings().queryPort() > 0) {
            // Runs and held calls older than intake's recent window are looked up in the projector's stores.
            values.put(IntakeConfig.PROJECTOR_URL.name(), "http://127.0.0.1:" + context.settings().queryPort());
        }
        IntakeConfig config = IntakeConfig.of(values);
        IntakeApp app = IntakeApp.start(config);
        boolean fromEnv = adminKey.equals(System.getenv("TOLLGATE_ADMIN_KEY"));
        boolean approverFromEnv = approverKey.equals(System.getenv("TOLLGATE_APPROVER_KEY"));
        return DevComponent.of("intake", app, app::ready, app.health().fatalError(),
                String.format("Intake API        http://127.0.0.1:%d", app.port()),
                "Admin key         " + (fromEnv ? "from TOLLGATE_ADMIN_KEY" : adminKey
                        + "   (generated; set TOLLGATE_ADMIN_KEY to choose it)"),
                String.format("Console           http://127.0.0.1:%d/console", app.port()),
                "Approver key      " + (approverFromEnv ? "from TOLLGATE_APPROVER_KEY" : approverKey)
                        + "   (" + DEV_APPROVER + ": a person in tenant " + DEV_TENANT + ", roles "
                        + String.join(", ", DEV_APPROVER_ROLES) + "; sign in to the console with it)");
    }

    /** The person {@code tollgate dev} prints a key for, to sign in to the console and approve held calls. */
    static final String DEV_APPROVER = "dev-approver";
    /** The tenant of the dev approver; create agents in it to see their held calls in the console. */
    static final String DEV_TENANT = "acme";
    static final List<String> DEV_APPROVER_ROLES = List.of("support-lead", "admin");

    /**
     * Writes the dev approver identity (a person in tenant {@value #DEV_TENANT}) with {@code apiKey}'s digest to
     * {@code tollgate.identities.v1}, before intake reads the topic; the newest key is the one that works.
     */
    static void upsertDevApprover(DevComponent.DevContext context, String apiKey) throws Exception {
        Instant now = Instant.now();
        Identity approver = Identity.newBuilder().setPrincipalId(DEV_APPROVER).setName(DEV_APPROVER)
                .setKind(PrincipalKind.HUMAN).setTenantId(DEV_TENANT).setRoles(DEV_APPROVER_ROLES)
                .setApiKeySha256(ApiKeys.sha256(apiKey)).setEnabled(true).setCreatedAt(now).setUpdatedAt(now)
                .build();
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(context.schemaRegistryUrl()));
        try (KafkaProducer<String, Identity> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                serdes.value(Topics.IDENTITIES).serializer())) {
            producer.send(new ProducerRecord<>(Topics.IDENTITIES.name(), DEV_APPROVER, approver))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The policy-processor. Before it starts, the project's default bundle (the reference bundle) is published
     * when no bundle has been published yet, so a fresh stack decides by it.
     */
    static DevComponent policyProcessor(DevComponent.DevContext context) throws Exception {
        String published = publishDefaultBundleIfNone(context);
        PolicyProcessorConfig config = PolicyProcessorConfig.from(Map.of(
                PolicyProcessorConfig.BOOTSTRAP_SERVERS.name(), context.bootstrapServers(),
                PolicyProcessorConfig.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl(),
                PolicyProcessorConfig.STATE_DIR.name(),
                context.settings().dataDir().resolve("policy-processor").toString(),
                PolicyProcessorConfig.COMMAND_KEYS_FILE.name(), commandKeysFile(context).toString(),
                PolicyProcessorConfig.DISPATCH_KEYS_FILE.name(), dispatchKeysFile(context).toString()));
        PolicyProcessorApp app = PolicyProcessorApp.start(config);
        return DevComponent.of("policy-processor", app, app::ready, app.health().fatalError(),
                "Policy bundle     " + published);
    }

    /** Publishes the default bundle unless tollgate.policies.v1 holds one already; says which is in force. */
    static String publishDefaultBundleIfNone(DevComponent.DevContext context) throws Exception {
        TopicPartition partition = new TopicPartition(Topics.POLICIES.name(), 0);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", context.bootstrapServers()))) {
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get(30, TimeUnit.SECONDS).offset();
            if (end > 0) {
                return "as published on " + Topics.POLICIES.name();
            }
        }
        CompiledBundle bundle = DefaultBundle.compiled();
        PolicyBundle record = PolicyBundle.newBuilder().setName(bundle.name()).setVersion(bundle.version())
                .setSha256(bundle.sha256()).setYaml(bundle.yaml()).setPublishedAt(Instant.now())
                .setPublishedBy("tollgate dev").build();
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(context.schemaRegistryUrl()));
        try (KafkaProducer<String, PolicyBundle> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                serdes.value(Topics.POLICIES).serializer())) {
            producer.send(new ProducerRecord<>(Topics.POLICIES.name(), record.getName(), record))
                    .get(30, TimeUnit.SECONDS);
        }
        return bundle.name() + " " + bundle.version() + " (the default, published now)";
    }

    /** The tool gateway: the dev config file if given (--gateway-config), else a safe default (no egress). */
    static DevComponent toolGateway(DevComponent.DevContext context) {
        GatewayConfig config = context.settings().gatewayConfig()
                .map(file -> GatewayConfig.fromYaml(file, Map.of(
                        GatewayConfig.BOOTSTRAP_SERVERS.name(), context.bootstrapServers(),
                        GatewayConfig.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl(),
                        GatewayConfig.DATA_DIR.name(), context.settings().dataDir().resolve("gateway").toString(),
                        GatewayConfig.DISPATCH_KEYS.name(), dispatchKeysFile(context).toString())))
                .orElseGet(() -> GatewayDevDefaults.config(context.settings().dataDir(),
                        context.bootstrapServers(), context.schemaRegistryUrl()));
        ToolGatewayApp app = ToolGatewayApp.start(config);
        return DevComponent.of("tool-gateway", app, app::ready, app.health().fatalError(),
                String.format("Tool gateway      receipt key %s, outbox %s", app.keyId(),
                        config.outbox()));
    }

    /** The ledger projector and its query API on --query-port. */
    static DevComponent projector(DevComponent.DevContext context) {
        ProjectorConfig config = ProjectorConfig.of(Map.of(
                ProjectorConfig.BOOTSTRAP_SERVERS.name(), context.bootstrapServers(),
                ProjectorConfig.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl(),
                ProjectorConfig.STATE_DIR.name(), context.settings().dataDir().resolve("projector").toString(),
                ProjectorConfig.HTTP_HOST.name(), "127.0.0.1",
                ProjectorConfig.HTTP_PORT.name(), Integer.toString(context.settings().queryPort())));
        ProjectorApp app = ProjectorApp.start(config);
        return DevComponent.of("projector", app, app::ready, app.health().fatalError(),
                String.format("Query API         http://127.0.0.1:%d", app.httpPort()));
    }
}

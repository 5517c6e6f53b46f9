package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.Command;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.IntakeSigner;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.launcher.security.SecuritySetup;
import dev.tollgate.launcher.security.TollgateAcls;
import dev.tollgate.policy.PolicyProcessorApp;
import dev.tollgate.policy.PolicyProcessorConfig;
import dev.tollgate.policy.engine.DefaultBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Principle 2 (enforcement cannot be bypassed), proven at the broker: a real Kafka broker with SASL/SCRAM-SHA-512,
 * the {@link StandardAuthorizer} and {@code allow.everyone.if.no.acl.found=false}, the ACLs and users of
 * {@link TollgateAcls} applied by the {@code tollgate acls apply --create-users} command itself (authenticated as
 * {@code admin} through {@code --client-config}), and real Kafka clients authenticating as each user.
 *
 * <p>Test-fixture affordance: {@link EmbeddedKafka}'s own clients (readiness, topic creation, schema registry), the
 * inter-broker and the controller traffic use its loopback-only {@code PLAINTEXT} listener, whose principal
 * {@code User:ANONYMOUS} is therefore a super user here. Every client under test connects to the SASL listener.
 * The production deployment ({@code deploy/kafka/start.sh}, {@code TOLLGATE_SECURE=true}) has no PLAINTEXT listener
 * at all: brokers and controllers authenticate with SASL and only {@code User:admin} is a super user.
 */
class SecureBrokerIT {

    private static final String ADMIN_PASSWORD = "admin-secret";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static EmbeddedKafka kafka;
    private static final Map<String, String> PASSWORDS = new LinkedHashMap<>();

    @BeforeAll
    static void startSecuredBrokerAndApplyTheAcls(@TempDir Path dir) throws IOException {
        kafka = EmbeddedKafka.builder()
                .saslScramUser("admin", ADMIN_PASSWORD)
                .brokerProperty("authorizer.class.name", StandardAuthorizer.class.getName())
                .brokerProperty("allow.everyone.if.no.acl.found", "false")
                .brokerProperty("super.users", "User:admin;User:ANONYMOUS")
                .start();
        for (String user : TollgateAcls.USERS) {
            PASSWORDS.put(SecuritySetup.passwordVariable(user), user + "-secret");
        }
        Path adminConfig = dir.resolve("admin.properties");
        Files.writeString(adminConfig, String.join("\n",
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=" + jaas("admin", ADMIN_PASSWORD)));

        // Twice: apply is idempotent.
        for (int i = 0; i < 2; i++) {
            CommandRun apply = applyAcls("acls", "apply", "--create-users",
                    "--bootstrap-servers", kafka.saslBootstrapServers(), "--client-config", adminConfig.toString());
            assertThat(apply.exitCode()).as(apply.err()).isZero();
            assertThat(apply.out()).contains("Applied " + TollgateAcls.all().size() + " ACL bindings",
                    "Upserted SCRAM-SHA-512 credentials of policy-processor, tool-gateway");
            assertThat(apply.out() + apply.err()).doesNotContain("-secret");
        }
        // A new SCRAM credential reaches the broker's metadata shortly after the controller commits it.
        for (String user : TollgateAcls.USERS) {
            await().atMost(WAIT).ignoreExceptions().until(() -> {
                try (Admin admin = Admin.create(new HashMap<>(client(user)))) {
                    return admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS) != null;
                }
            });
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void refusesTheAgentsWritesToTheLedgerAndTheDispatchTopic() {
        try (KafkaProducer<String, String> agent = producer(TollgateAcls.AGENT, null)) {
            assertRefused(agent, Topics.LEDGER.name());
            assertRefused(agent, Topics.DISPATCH.name());
            assertRefused(agent, Topics.TOOL_RESULTS.name());
        }
    }

    @Test
    void refusesTheAgentATransactionalIdOfThePolicyProcessor() {
        try (KafkaProducer<String, String> agent = producer(TollgateAcls.AGENT, "tollgate-policy-processor-v1-0")) {
            assertThatThrownBy(agent::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        }
    }

    @Test
    void refusesTheGatewaysWritesToTheLedgerDispatchAndCommands() {
        try (KafkaProducer<String, String> gateway = producer(TollgateAcls.TOOL_GATEWAY, null)) {
            assertRefused(gateway, Topics.LEDGER.name());
            assertRefused(gateway, Topics.DISPATCH.name());
            assertRefused(gateway, Topics.COMMANDS.name());
        }
    }

    @Test
    void refusesIntakesWritesToTheLedgerAndTheDispatchTopic() {
        try (KafkaProducer<String, String> intake = producer(TollgateAcls.INTAKE, null)) {
            assertRefused(intake, Topics.LEDGER.name());
            assertRefused(intake, Topics.DISPATCH.name());
        }
    }

    @Test
    void refusesAnUnknownPassword() {
        Map<String, Object> config = new HashMap<>(client(TollgateAcls.AGENT));
        config.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(TollgateAcls.AGENT, "wrong-password"));
        try (KafkaProducer<String, String> impostor = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            assertThatThrownBy(() -> impostor.send(new ProducerRecord<>(Topics.COMMANDS.name(), "run", "x"))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void letsTheNormalFlowThroughEachServiceWithItsOwnUser() throws Exception {
        String runId = "run-secure-flow";
        try (KafkaProducer<String, String> agent = producer(TollgateAcls.AGENT, null)) {
            agent.send(new ProducerRecord<>(Topics.COMMANDS.name(), runId, "RequestToolCall"))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        // The policy-processor reads the command and writes ledger and dispatch in one transaction, with offsets.
        try (KafkaConsumer<String, String> commands = consumer(TollgateAcls.POLICY_PROCESSOR,
                "tollgate-policy-processor-v1-it", Topics.COMMANDS.name());
             KafkaProducer<String, String> decide = producer(TollgateAcls.POLICY_PROCESSOR,
                     "tollgate-policy-processor-v1-it-0")) {
            ConsumerRecord<String, String> command = pollFor(commands, runId);
            decide.initTransactions();
            decide.beginTransaction();
            decide.send(new ProducerRecord<>(Topics.LEDGER.name(), runId, "ToolCallApproved"));
            decide.send(new ProducerRecord<>(Topics.DISPATCH.name(), runId, "ToolCallDispatch"));
            decide.sendOffsetsToTransaction(offsetAfter(command), commands.groupMetadata());
            decide.commitTransaction();
        }

        // The gateway reads dispatch and writes the result in one transaction, with offsets.
        try (KafkaConsumer<String, String> dispatch = consumer(TollgateAcls.TOOL_GATEWAY,
                "tollgate-tool-gateway-v1", Topics.DISPATCH.name());
             KafkaProducer<String, String> results = producer(TollgateAcls.TOOL_GATEWAY,
                     "tollgate-tool-gateway-gateway-1")) {
            ConsumerRecord<String, String> call = pollFor(dispatch, runId);
            assertThat(call.value()).isEqualTo("ToolCallDispatch");
            results.initTransactions();
            results.beginTransaction();
            results.send(new ProducerRecord<>(Topics.TOOL_RESULTS.name(), runId, "ToolCallResult"));
            results.sendOffsetsToTransaction(offsetAfter(call), dispatch.groupMetadata());
            results.commitTransaction();
        }

        // The projector reads the ledger; the policy-processor reads the tool result.
        try (KafkaConsumer<String, String> ledger = consumer(TollgateAcls.LEDGER_PROJECTOR,
                "tollgate-ledger-projector-v1-it", Topics.LEDGER.name());
             KafkaConsumer<String, String> toolResults = consumer(TollgateAcls.POLICY_PROCESSOR,
                     "tollgate-policy-processor-v1-it", Topics.TOOL_RESULTS.name())) {
            assertThat(pollFor(ledger, runId).value()).isEqualTo("ToolCallApproved");
            assertThat(pollFor(toolResults, runId).value()).isEqualTo("ToolCallResult");
        }
    }

    /**
     * Issue 13 with ACLs on: the ACLs let the shared {@code agent} user write {@code tollgate.commands.v1}, so what
     * stops it acting as someone else is the processor's authentication. A real policy-processor (its own SCRAM user,
     * its real application id) decides a victim's run that intake (its user, its service MAC) requested and whose
     * bulk update is held for approval; the agent user then forges approvals naming the human approver (unsigned,
     * with a MAC under a key of its own, signed with its own registered Ed25519 key) and a run request claiming
     * another tenant. Each is refused with its stable code, the forged run creates no run, nothing is dispatched,
     * and the chain verifies.
     */
    @Test
    void theAgentUsersForgedCommandsAreRefusedByTheProcessorAndNothingIsDispatched(@TempDir Path dir)
            throws Exception {
        String prefix = "secure-" + UUID.randomUUID().toString().substring(0, 8);
        String tenant = prefix + "-acme";
        String victim = prefix + "-victim";
        String lead = prefix + "-lead";
        String forger = prefix + "-forger";
        KeyPair forgerKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
        IntakeSigner intake = IntakeSigner.atFile(dir.resolve("command-keys"));
        String yaml = DefaultBundle.yaml().replace("name: default", "name: " + prefix);

        // Intake's user publishes the bundle and the identities, as intake and the CLI do.
        try (KafkaProducer<String, Object> admin = avroProducer(TollgateAcls.INTAKE, serdes)) {
            admin.send(new ProducerRecord<>(Topics.POLICIES.name(), prefix, PolicyBundle.newBuilder().setName(prefix)
                    .setVersion("it").setSha256(Sha256.hex(yaml)).setYaml(yaml).setPublishedAt(Instant.now())
                    .build())).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            admin.send(identityRecord(victim, PrincipalKind.AGENT, tenant, List.of(), null))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            admin.send(identityRecord(lead, PrincipalKind.HUMAN, tenant, List.of("support-lead"), null))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            admin.send(identityRecord(forger, PrincipalKind.AGENT, tenant, List.of(), Base64.getEncoder()
                    .encodeToString(forgerKey.getPublic().getEncoded()))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        Map<String, String> settings = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.saslBootstrapServers(),
                "schema.registry.url", kafka.schemaRegistryUrl(),
                "policy.bundle", prefix,
                "state.dir", dir.resolve("state").toString(),
                "command.keys.file", intake.keyFile().toString()));
        client(TollgateAcls.POLICY_PROCESSOR).forEach((key, value) -> {
            if (!key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                    && !key.equals(CommonClientConfigs.CLIENT_ID_CONFIG)) {
                settings.put("kafka." + key, value.toString());
            }
        });
        try (PolicyProcessorApp processor = PolicyProcessorApp.start(PolicyProcessorConfig.from(settings))) {
            await().atMost(Duration.ofSeconds(120)).until(processor::ready);
            String runId = prefix + "-run";
            try (KafkaProducer<String, Object> viaIntake = avroProducer(TollgateAcls.INTAKE, serdes)) {
                viaIntake.send(commandRecord(intake.sign(command(runId, victim, tenant, RequestRun.newBuilder()
                        .setWorkflow("support-triage").setEnvironment("staging").setClassification("Internal")
                        .build())))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                viaIntake.send(commandRecord(intake.sign(command(runId, victim, tenant, RequestToolCall.newBuilder()
                        .setCallId("c1").setTool("tickets.update")
                        .setArgsJson("{\"ticket_ids\":[1,2,3,4,5,6,7,8,9,10,11],\"fields\":{}}").build()))))
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(ledger(runId, 2).get(1).getPayload()).isInstanceOf(ToolCallHeld.class);

            String shadowRun = prefix + "-shadow";
            Path otherKeys = dir.resolve("forger-keys");
            try (KafkaProducer<String, Object> agent = avroProducer(TollgateAcls.AGENT, serdes)) {
                agent.send(commandRecord(command(runId, lead, tenant, approve("c1"))))
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                agent.send(commandRecord(IntakeSigner.atFile(otherKeys).sign(command(runId, lead, tenant,
                        approve("c1"))))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                agent.send(commandRecord(Proofs.signEd25519(command(runId, lead, tenant, approve("c1")),
                        forgerKey.getPrivate(), forgerKey.getPublic(), forger)))
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                agent.send(commandRecord(Proofs.signEd25519(command(shadowRun, forger, prefix + "-globex",
                        RequestRun.newBuilder().setWorkflow("support-triage").setEnvironment("staging")
                                .setClassification("Internal").build()), forgerKey.getPrivate(),
                        forgerKey.getPublic(), forger))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }

            List<LedgerEvent> events = ledger(runId, 5);
            assertThat(events.subList(2, 5)).extracting(e -> ((CommandRejected) e.getPayload()).getReasons().get(0)
                    .getCode()).containsExactly(ReasonCode.COMMAND_UNAUTHENTICATED,
                    ReasonCode.COMMAND_UNAUTHENTICATED, ReasonCode.PRINCIPAL_MISMATCH);
            assertThat(events.get(4).getPrincipalId()).as("attributed to the signer").isEqualTo(forger);
            await().atMost(WAIT).until(() -> kafka.readCommitted(Topics.DLQ.name()).stream()
                    .anyMatch(r -> shadowRun.equals(r.key())
                            && DeadLetters.header(r.headers(), DeadLetters.REASON_CODE).orElse("")
                            .equals("TENANT_MISMATCH")));
            assertThat(kafka.readCommitted(Topics.LEDGER.name())).noneMatch(r -> shadowRun.equals(r.key()));
            assertThat(kafka.readCommitted(Topics.DISPATCH.name())).noneMatch(r -> runId.equals(r.key()));
        }
    }

    private static Command command(String runId, String principalId, String tenant, Object payload) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setRunId(runId).setTenantId(tenant)
                .setPrincipalId(principalId).setIssuedAt(Instant.now()).setPayload(payload).build();
    }

    private static DecideApproval approve(String callId) {
        return DecideApproval.newBuilder().setCallId(callId).setDecision(ApprovalDecision.APPROVE)
                .setReason("forged").build();
    }

    private static ProducerRecord<String, Object> commandRecord(Command command) {
        return new ProducerRecord<>(Topics.COMMANDS.name(), command.getRunId(), command);
    }

    private static ProducerRecord<String, Object> identityRecord(String principalId, PrincipalKind kind,
                                                                 String tenant, List<String> roles,
                                                                 String publicKey) {
        return new ProducerRecord<>(Topics.IDENTITIES.name(), principalId, Identity.newBuilder()
                .setPrincipalId(principalId).setName(principalId).setKind(kind).setTenantId(tenant).setRoles(roles)
                .setApiKeySha256("0".repeat(64)).setPublicKey(publicKey).setCreatedAt(Instant.now())
                .setUpdatedAt(Instant.now()).build());
    }

    /** A producer authenticated as {@code user} writing Avro values in the wire format of each topic. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KafkaProducer<String, Object> avroProducer(String user, TollgateSerdes serdes) {
        Map<String, Object> config = new HashMap<>(client(user));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        Serializer<Object> values = (topic, value) -> ((Serde) serdes.value(Topics.byName(topic).orElseThrow()))
                .serializer().serialize(topic, value);
        return new KafkaProducer<>(config, new StringSerializer(), values);
    }

    /** The run's ledger events once there are {@code count}, with the hash chain checked from the raw bytes. */
    private static List<LedgerEvent> ledger(String runId, int count) {
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl()));
        List<LedgerEvent> events = new ArrayList<>();
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            events.clear();
            String previous = LedgerHash.GENESIS;
            for (ConsumerRecord<String, byte[]> record : kafka.readCommitted(Topics.LEDGER.name())) {
                if (runId.equals(record.key())) {
                    LedgerEvent event = serdes.value(Topics.LEDGER).deserializer().deserialize(record.topic(),
                            record.value());
                    assertThat(event.getPrevHash()).as("chain of %s at seq %d", runId, event.getSeq())
                            .isEqualTo(previous);
                    previous = LedgerHash.ofRecordValue(record.value());
                    events.add(event);
                }
            }
            return events.size() >= count;
        });
        return events;
    }


    private static CommandRun applyAcls(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Tollgate.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        AclsCommand.Apply apply = commandLine.getSubcommands().get("acls").getSubcommands().get("apply").getCommand();
        apply.environment = PASSWORDS::get;
        int exitCode = commandLine.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }

    private static void assertRefused(KafkaProducer<String, String> producer, String topic) {
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "run-x", "forged"))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("a write to %s", topic)
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
    }

    private static ConsumerRecord<String, String> pollFor(KafkaConsumer<String, String> consumer, String key) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                if (key.equals(record.key())) {
                    found.add(record);
                }
            });
            return !found.isEmpty();
        });
        return found.get(0);
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsetAfter(ConsumerRecord<?, ?> record) {
        return Map.of(new TopicPartition(record.topic(), record.partition()),
                new OffsetAndMetadata(record.offset() + 1));
    }

    private static KafkaProducer<String, String> producer(String user, String transactionalId) {
        Map<String, Object> config = new HashMap<>(client(user));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        if (transactionalId != null) {
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String user, String groupId, String topic) {
        Map<String, Object> config = new HashMap<>(client(user));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static Map<String, Object> client(String user) {
        return Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.saslBootstrapServers(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512",
                SaslConfigs.SASL_JAAS_CONFIG, jaas(user, PASSWORDS.getOrDefault(SecuritySetup.passwordVariable(user),
                        "")),
                CommonClientConfigs.CLIENT_ID_CONFIG, "secure-it-" + user);
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}

package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.Command;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.Topics;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.policy.engine.DefaultBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks on the command topic, replayed on the real broker against a running processor: a forged
 * approver (unsigned, and signed by another principal), an agent as approver, a claimed tenant, a skewed issuedAt,
 * a squatted run id and colliding call ids. Each is answered with its stable code, nothing forged is dispatched,
 * and every chain the processor wrote verifies (checked as the ledger is read).
 */
@ExtendWith(EmbeddedKafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandAuthenticationIT {

    private static final String BULK = "{\"ticket_ids\":[1,2,3,4,5,6,7,8,9,10,11],\"fields\":{}}";

    private EmbeddedKafka kafka;
    private ProcessorItSupport it;
    private KeyRing dispatchKeys;
    private KeyPair attackerKey;
    private String attacker;
    private String victim;
    private String lead;
    private String agentLead;
    private String globex;

    @BeforeAll
    void start(EmbeddedKafka kafka, @TempDir Path stateDir) throws Exception {
        this.kafka = kafka;
        it = new ProcessorItSupport(kafka, "auth");
        attacker = it.prefix + "-attacker";
        victim = it.prefix + "-victim";
        lead = it.prefix + "-lead";
        agentLead = it.prefix + "-agent-lead";
        globex = it.prefix + "-globex";
        attackerKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        it.identity(Identity.newBuilder(identity(attacker, PrincipalKind.AGENT, it.tenant)).setPublicKey(
                Base64.getEncoder().encodeToString(attackerKey.getPublic().getEncoded())).build());
        it.identity(identity(victim, PrincipalKind.AGENT, it.tenant));
        it.identity(Identity.newBuilder(identity(lead, PrincipalKind.HUMAN, it.tenant))
                .setRoles(List.of("support-lead")).build());
        it.identity(Identity.newBuilder(identity(agentLead, PrincipalKind.AGENT, it.tenant))
                .setRoles(List.of("support-lead")).build());
        it.identity(identity(globex, PrincipalKind.AGENT, it.prefix + "-globex-tenant"));
        Path keys = stateDir.resolve("dispatch-keys");
        Files.writeString(keys, "it-dispatch=" + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        dispatchKeys = KeyRing.load(keys);
        it.start(DefaultBundle.yaml(), stateDir, Map.of("dispatch.keys.file", keys.toString()));
    }

    @AfterAll
    void stop() {
        if (it != null) {
            it.close();
        }
    }

    private static Identity identity(String principalId, PrincipalKind kind, String tenant) {
        return Identity.newBuilder().setPrincipalId(principalId).setName(principalId).setKind(kind)
                .setTenantId(tenant).setApiKeySha256("0".repeat(64)).setCreatedAt(Instant.now())
                .setUpdatedAt(Instant.now()).build();
    }

    private Command command(String runId, String principalId, Object payload) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setRunId(runId)
                .setTenantId(it.tenant).setPrincipalId(principalId).setIssuedAt(Instant.now()).setPayload(payload)
                .build();
    }

    private Command signedByAttacker(Command command) {
        return Proofs.signEd25519(command, attackerKey.getPrivate(), attackerKey.getPublic(), attacker);
    }

    private static RequestRun requestRun() {
        return RequestRun.newBuilder().setWorkflow("support-triage").setEnvironment("staging")
                .setClassification("Internal").build();
    }

    private static RequestToolCall bulkCall(String callId) {
        return RequestToolCall.newBuilder().setCallId(callId).setTool("tickets.update").setArgsJson(BULK).build();
    }

    private static DecideApproval approve(String callId) {
        return DecideApproval.newBuilder().setCallId(callId).setDecision(ApprovalDecision.APPROVE)
                .setReason("looks fine").build();
    }

    private List<LedgerEvent> awaitEvents(String runId, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            it.poll();
            return it.events(runId).size() >= count;
        });
        return it.events(runId);
    }

    private static ReasonCode code(LedgerEvent event) {
        assertThat(event.getPayload()).isInstanceOf(CommandRejected.class);
        return ((CommandRejected) event.getPayload()).getReasons().get(0).getCode();
    }

    /** A victim's run with call c1 held for approval, requested through intake (intake's proof). */
    private String heldRun(String owner, String suffix) throws Exception {
        String runId = it.prefix + "-" + suffix;
        it.send(command(runId, owner, requestRun()));
        it.send(command(runId, owner, bulkCall("c1")));
        assertThat(awaitEvents(runId, 2).get(1).getPayload()).isInstanceOf(ToolCallHeld.class);
        return runId;
    }

    @Test
    void forgedApproversAndAgentApproversAreRefusedAndNothingIsDispatched() throws Exception {
        String runId = heldRun(victim, "held");
        it.sendAsIs(command(runId, lead, approve("c1")));
        it.sendAsIs(signedByAttacker(command(runId, lead, approve("c1"))));
        it.send(command(runId, agentLead, approve("c1")));
        it.sendAsIs(signedByAttacker(command(runId, attacker, approve("c1"))));

        List<LedgerEvent> events = awaitEvents(runId, 6);
        assertThat(code(events.get(2))).isEqualTo(ReasonCode.COMMAND_UNAUTHENTICATED);
        assertThat(events.get(2).getPrincipalId()).isEqualTo("unauthenticated");
        assertThat(code(events.get(3))).isEqualTo(ReasonCode.PRINCIPAL_MISMATCH);
        assertThat(events.get(3).getPrincipalId()).as("attributed to the signer").isEqualTo(attacker);
        assertThat(code(events.get(4))).isEqualTo(ReasonCode.APPROVER_NOT_ALLOWED);
        assertThat(code(events.get(5))).as("attacker is an agent").isEqualTo(ReasonCode.APPROVER_NOT_ALLOWED);
        assertThat(dispatches(runId)).isEmpty();

        // The real approver still can, and only that dispatch exists, with the processor's proof.
        it.send(command(runId, lead, approve("c1")));
        assertThat(awaitEvents(runId, 7).get(6).getPayload()).isInstanceOf(ApprovalGranted.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> dispatches(runId).size() == 1);
        assertThat(Proofs.verifyHmac(dispatches(runId).get(0), dispatchKeys)).isTrue();
    }

    @Test
    void anIdentityThatArrivesJustAfterItsFirstAttestedCommandIsWaitedFor() throws Exception {
        // Intake attests a principal it has just created; the identity reaches the processor a moment later.
        String newcomer = it.prefix + "-newcomer";
        String runId = it.prefix + "-newcomer-run";
        it.send(command(runId, newcomer, requestRun()));
        CompletableFuture.runAsync(() -> {
            try {
                it.identity(identity(newcomer, PrincipalKind.AGENT, it.tenant));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)).get(30, TimeUnit.SECONDS);
        LedgerEvent first = awaitEvents(runId, 1).get(0);
        assertThat(first.getPayload()).isInstanceOf(RunAdmitted.class);
        assertThat(first.getPrincipalId()).isEqualTo(newcomer);
    }

    @Test
    void aSkewedIssuedAtIsRefused() throws Exception {
        String runId = it.prefix + "-skew";
        it.sendAsIs(signedByAttacker(command(runId, attacker, requestRun())));
        assertThat(awaitEvents(runId, 1).get(0).getPayload()).as("a signed command is decided")
                .isInstanceOf(RunAdmitted.class);
        Command skewed = command(runId, attacker, RequestToolCall.newBuilder().setCallId("c1")
                .setTool("search_docs").setArgsJson("{\"q\":\"x\"}").build());
        skewed.setIssuedAt(Instant.now().minus(Duration.ofHours(1)));
        it.sendAsIs(signedByAttacker(skewed));
        assertThat(code(awaitEvents(runId, 2).get(1))).isEqualTo(ReasonCode.CLOCK_SKEW);
        assertThat(dispatches(runId)).isEmpty();
    }

    @Test
    void claimedTenantsAndSquattedRunsCreateNoRun() throws Exception {
        String claimed = it.prefix + "-claimed";
        String shadow = it.prefix + "-shadow";
        String squatted = it.prefix + "-squatted";
        it.send(command(claimed, globex, requestRun()));
        Command shadowRun = command(shadow, attacker, requestRun());
        shadowRun.setTenantId(it.tenant + "-shadow");
        it.sendAsIs(signedByAttacker(shadowRun));
        Command squat = command(squatted, globex, bulkCall("c1"));
        squat.setTenantId(it.prefix + "-globex-tenant");
        it.send(squat);

        List<ConsumerRecord<String, byte[]>> dead = deadLetters(List.of(claimed, shadow, squatted), 3);
        assertThat(dead).extracting(r -> r.key() + " " + DeadLetters.header(r.headers(), DeadLetters.REASON_CODE)
                .orElse("")).containsExactlyInAnyOrder(claimed + " TENANT_MISMATCH", shadow + " TENANT_MISMATCH",
                squatted + " RUN_NOT_ACTIVE");

        // The victim's own request later gets its run: seq 1, owned by the victim.
        it.send(command(squatted, victim, requestRun()));
        LedgerEvent first = awaitEvents(squatted, 1).get(0);
        assertThat(first.getSeq()).isEqualTo(1);
        assertThat(first.getPayload()).isInstanceOf(RunAdmitted.class);
        assertThat(first.getPrincipalId()).isEqualTo(victim);
        it.poll();
        assertThat(it.events(claimed)).isEmpty();
        assertThat(it.events(shadow)).isEmpty();
    }

    @Test
    void collidingCallIdsAreDecidedPerRun() throws Exception {
        String victims = heldRun(victim, "victim-run");
        String attackers = heldRun(attacker, "attacker-run");
        it.send(command(victims, lead, approve("c1")));
        assertThat(awaitEvents(victims, 3).get(2).getPayload()).isInstanceOf(ApprovalGranted.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> dispatches(victims).size() == 1);
        it.poll();
        assertThat(it.events(attackers)).hasSize(2);
        assertThat(dispatches(attackers)).isEmpty();
    }

    private List<ToolCallDispatch> dispatches(String runId) {
        List<ToolCallDispatch> found = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : readAll(Topics.DISPATCH.name())) {
            if (runId.equals(record.key())) {
                found.add(it.serdes.value(Topics.DISPATCH).deserializer().deserialize(record.topic(),
                        record.value()));
            }
        }
        return found;
    }

    private List<ConsumerRecord<String, byte[]>> deadLetters(List<String> keys, int expected) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            found.clear();
            readAll(Topics.DLQ.name()).stream().filter(r -> keys.contains(r.key())).forEach(found::add);
            return found.size() >= expected;
        });
        return found;
    }

    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, EmbeddedKafkaExtension.uniqueId("auth-reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long idle = 0;
            while (idle < 3) {
                int n = 0;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    records.add(record);
                    n++;
                }
                idle = n == 0 && !consumer.assignment().isEmpty() ? idle + 1 : 0;
            }
        }
        return records;
    }
}

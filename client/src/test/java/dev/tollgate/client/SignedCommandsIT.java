package dev.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.Command;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real policy-processor on the embedded broker (no intake key configured, so only commands
 * signed by their own principal count): a signed run request is admitted and a signed tool call approved and
 * dispatched; a command changed after signing, one signed with a key not registered to the envelope's principal,
 * one whose proof names another signer, and one signed with a key rotated away are refused with their stable codes
 * and nothing of theirs is dispatched. Every chain read is checked.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignedCommandsIT {

    private EmbeddedKafka kafka;
    private ProcessorFixture processor;
    private SigningKey agentKey;
    private SigningKey otherKey;
    private String agent;
    private String other;

    @BeforeAll
    void start(EmbeddedKafka kafka, @TempDir Path stateDir) throws Exception {
        this.kafka = kafka;
        processor = new ProcessorFixture(kafka, "client", stateDir);
        agentKey = SigningKey.generate();
        otherKey = SigningKey.generate();
        agent = processor.identity("agent", PrincipalKind.AGENT, agentKey);
        other = processor.identity("other", PrincipalKind.AGENT, otherKey);
    }

    @AfterAll
    void stop() {
        if (processor != null) {
            processor.close();
        }
    }

    private TollgateClient client(String principalId, SigningKey key) {
        return TollgateClient.builder().bootstrapServers(kafka.bootstrapServers())
                .schemaRegistryUrl(kafka.schemaRegistryUrl()).principal(principalId, processor.tenant)
                .signingKey(key).build();
    }

    private static RequestRun triage() {
        return RequestRun.newBuilder().setWorkflow("support-triage").setEnvironment("staging")
                .setClassification("Internal").build();
    }

    private static ReasonCode rejection(LedgerEvent event) {
        assertThat(event.getPayload()).isInstanceOf(CommandRejected.class);
        return ((CommandRejected) event.getPayload()).getReasons().get(0).getCode();
    }

    /** A run of the agent, admitted from its signed request. */
    private String admittedRun(TollgateClient client) {
        String runId = client.newRunId();
        client.requestRun(runId, triage());
        LedgerEvent first = processor.awaitEvents(runId, 1).get(0);
        assertThat(first.getPayload()).isInstanceOf(RunAdmitted.class);
        assertThat(first.getPrincipalId()).isEqualTo(agent);
        assertThat(first.getTenantId()).isEqualTo(processor.tenant);
        return runId;
    }

    @Test
    void aSignedRunRequestIsAdmittedAndASignedToolCallApprovedAndDispatched() {
        try (TollgateClient client = client(agent, agentKey)) {
            String runId = admittedRun(client);
            TollgateClient.Sent sent = client.requestToolCall(runId, "c1", "search_docs", "{\"q\":\"refunds\"}");
            assertThat(sent.runId()).isEqualTo(runId);
            LedgerEvent decided = processor.awaitEvents(runId, 2).get(1);
            assertThat(decided.getPayload()).isInstanceOf(ToolCallApproved.class);
            assertThat(decided.getCausationId()).isEqualTo(sent.commandId());
            await().atMost(Duration.ofSeconds(30)).until(() -> processor.dispatches(runId) == 1);
        }
    }

    @Test
    void aCommandChangedAfterSigningIsUnauthenticatedAndNothingIsDispatched() {
        try (TollgateClient client = client(agent, agentKey)) {
            String runId = admittedRun(client);
            Command tampered = client.signer().sign(runId, RequestToolCall.newBuilder().setCallId("c1")
                    .setTool("search_docs").setArgsJson("{\"q\":\"refunds\"}").build());
            ((RequestToolCall) tampered.getPayload()).setTool("email.send");
            client.send(tampered);
            Command retimed = client.signer().sign(runId, RequestToolCall.newBuilder().setCallId("c2")
                    .setTool("search_docs").setArgsJson("{\"q\":\"x\"}").build());
            retimed.setIssuedAt(retimed.getIssuedAt().plusMillis(1));
            client.send(retimed);

            List<LedgerEvent> events = processor.awaitEvents(runId, 3);
            assertThat(rejection(events.get(1))).isEqualTo(ReasonCode.COMMAND_UNAUTHENTICATED);
            assertThat(rejection(events.get(2))).isEqualTo(ReasonCode.COMMAND_UNAUTHENTICATED);
            assertThat(events.get(1).getPrincipalId()).isEqualTo("unauthenticated");
            assertThat(events.get(1).getCausationId()).as("a forged command burns no command id").isNull();
            assertThat(processor.dispatches(runId)).isZero();
        }
    }

    @Test
    void aKeyNotRegisteredToTheEnvelopesPrincipalIsRefused() {
        try (TollgateClient client = client(agent, agentKey);
             TollgateClient impostor = client(agent, otherKey)) {
            String runId = admittedRun(client);
            // The other principal's key, claiming to be the agent: its signature does not verify with the agent's.
            impostor.requestToolCall(runId, "c1", "search_docs", "{\"q\":\"x\"}");
            // The other principal signing as itself for the agent's envelope: a valid signature, wrong principal.
            Command borrowed = Command.newBuilder(client.signer().sign(runId, RequestToolCall.newBuilder()
                    .setCallId("c2").setTool("search_docs").setArgsJson("{\"q\":\"x\"}").build())).build();
            client.send(Proofs.signEd25519(borrowed, otherKey.privateKey(), otherKey.publicKey(), other));

            List<LedgerEvent> events = processor.awaitEvents(runId, 3);
            assertThat(rejection(events.get(1))).isEqualTo(ReasonCode.COMMAND_UNAUTHENTICATED);
            assertThat(rejection(events.get(2))).isEqualTo(ReasonCode.PRINCIPAL_MISMATCH);
            assertThat(events.get(2).getPrincipalId()).as("attributed to the signer").isEqualTo(other);
            assertThat(processor.dispatches(runId)).isZero();
        }
    }

    @Test
    void aRunRequestSignedWithAnUnregisteredKeyCreatesNoRun() {
        try (TollgateClient impostor = client(agent, SigningKey.generate())) {
            String runId = impostor.newRunId();
            impostor.requestRun(runId, triage());
            assertThat(DeadLetters.header(processor.awaitDeadLetters(runId, 1).get(0).headers(),
                    DeadLetters.REASON_CODE)).contains("COMMAND_UNAUTHENTICATED");
            assertThat(processor.awaitEvents(runId, 0)).isEmpty();
        }
    }

    @Test
    void aRotatedKeyReplacesTheOldOne() throws Exception {
        SigningKey first = SigningKey.generate();
        SigningKey second = SigningKey.generate();
        String rotating = processor.identity("rotating", PrincipalKind.AGENT, first);
        try (TollgateClient before = client(rotating, first); TollgateClient after = client(rotating, second)) {
            String runId = before.newRunId();
            before.requestRun(runId, triage());
            assertThat(processor.awaitEvents(runId, 1).get(0).getPayload()).isInstanceOf(RunAdmitted.class);

            processor.identity(rotating, PrincipalKind.AGENT, second.publicKeyBase64());
            // Identities and commands are different topics: probe with the new key until the processor has read it.
            AtomicInteger probes = new AtomicInteger();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                after.requestToolCall(runId, "probe-" + probes.incrementAndGet(), "search_docs", "{\"q\":\"x\"}");
                return processor.awaitEvents(runId, 0).stream()
                        .anyMatch(e -> e.getPayload() instanceof ToolCallApproved);
            });
            int seen = processor.awaitEvents(runId, 1 + probes.get()).size();
            before.requestToolCall(runId, "old-key", "search_docs", "{\"q\":\"x\"}");
            LedgerEvent last = processor.awaitEvents(runId, seen + 1).get(seen);
            assertThat(rejection(last)).as("the old key no longer verifies")
                    .isEqualTo(ReasonCode.COMMAND_UNAUTHENTICATED);
        }
    }
}

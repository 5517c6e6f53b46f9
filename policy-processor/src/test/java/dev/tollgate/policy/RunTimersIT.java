package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.ApprovalExpired;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.Command;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.Topics;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.policy.engine.DefaultBundle;
import dev.tollgate.policy.engine.PolicyCompiler;
import dev.tollgate.policy.run.StaticPolicyContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor's timers on the real broker, one processor for both tests. A tenant kill switch halts the tenant's 20
 * active runs within a second, though they send nothing; new runs are rejected while it is engaged and admitted once
 * it is lifted. A held call expires on the wall-clock punctuator, and re-deciding the recorded commands with the pure
 * deciders (as a replay or {@code policy diff} does) gives the same ledger, byte for byte.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunTimersIT {

    private static final int RUNS = 20;
    private static final String BULK = "{\"ticket_ids\":[1,2,3,4,5,6,7,8,9,10,11],\"fields\":{}}";

    private ProcessorItSupport it;
    private String agent;
    private String lead;

    @BeforeAll
    void start(EmbeddedKafka kafka, @TempDir Path stateDir) throws Exception {
        it = new ProcessorItSupport(kafka, "timers");
        agent = it.prefix + "-agent";
        lead = it.prefix + "-lead";
        it.identity(identity(agent, PrincipalKind.AGENT));
        it.identity(Identity.newBuilder(identity(lead, PrincipalKind.HUMAN)).setRoles(List.of("support-lead"))
                .build());
        // Approvals expire 2 s after the call; the punctuator records the expiry 200 ms after that.
        it.start(DefaultBundle.yaml().replace("expiresIn: PT30M", "expiresIn: PT2S"), stateDir,
                Map.of("approval.expiry.grace.ms", "200"));
    }

    @AfterAll
    void stop() {
        if (it != null) {
            it.close();
        }
    }

    private Identity identity(String principalId, PrincipalKind kind) {
        return Identity.newBuilder().setPrincipalId(principalId).setName(principalId).setKind(kind)
                .setTenantId(it.tenant).setApiKeySha256("0".repeat(64)).setCreatedAt(Instant.now())
                .setUpdatedAt(Instant.now()).build();
    }

    @Test
    void anExpiredApprovalIsDecidedTheSameWayWhenTheRecordedCommandsAreReplayed() throws Exception {
        String expiring = it.prefix + "-expiring";
        String approved = it.prefix + "-approved";
        for (String runId : List.of(expiring, approved)) {
            it.send(command(runId, agent, requestRunPayload()));
            it.send(command(runId, agent, RequestToolCall.newBuilder().setCallId("c1").setTool("tickets.update")
                    .setArgsJson(BULK).build()));
        }
        it.send(command(approved, lead, decision(ApprovalDecision.APPROVE)));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            it.poll();
            return it.runsEndingWith(Set.of(expiring), ApprovalExpired.class) == 1
                    && it.runsEndingWith(Set.of(approved), ApprovalGranted.class) == 1;
        });
        LedgerEvent expired = it.events(expiring).get(2);
        ToolCallHeld held = (ToolCallHeld) it.events(expiring).get(1).getPayload();
        assertThat(expired.getOccurredAt()).as("at the expiry, not when the punctuator noticed")
                .isEqualTo(held.getExpiresAt());
        assertThat(expired.getCausationId()).isNull();

        // A decision that arrives after the expiry is rejected, whoever recorded the expiry.
        it.send(command(expiring, lead, decision(ApprovalDecision.APPROVE)));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            it.poll();
            return it.events(expiring).size() == 4;
        });
        CommandRejected rejected = (CommandRejected) it.events(expiring).get(3).getPayload();
        assertThat(rejected.getReasons().get(0).getCode()).isEqualTo(ReasonCode.APPROVAL_EXPIRED);

        // Replay: the recorded commands through the pure deciders, without the punctuator.
        List<Command> recorded = it.recordedCommands(Set.of(expiring, approved), 6);
        Map<String, Identity> identities = Map.of(agent, identity(agent, PrincipalKind.AGENT), lead,
                Identity.newBuilder(identity(lead, PrincipalKind.HUMAN)).setRoles(List.of("support-lead")).build());
        RunHarness replay = new RunHarness(new StaticPolicyContext(PolicyCompiler.compile(it.yaml()), identities,
                Map.of())).given(recorded.toArray(Command[]::new));
        for (String runId : List.of(expiring, approved)) {
            List<LedgerEvent> replayed = replay.ledger().stream().filter(e -> e.getRunId().equals(runId)).toList();
            assertThat(replayed).as("replay of %s", runId).isEqualTo(it.events(runId));
            assertThat(replayed.stream().map(LedgerHash::of).toList())
                    .isEqualTo(it.events(runId).stream().map(LedgerHash::of).toList());
        }
    }

    @Test
    void aTenantKillSwitchHaltsTwentyActiveRunsWithinASecond() throws Exception {
        {

            Set<String> runIds = new LinkedHashSet<>();
            for (int i = 0; i < RUNS; i++) {
                String runId = it.prefix + "-run-" + i;
                runIds.add(runId);
                it.send(requestRun(it, runId, agent));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                it.poll();
                return it.runsEndingWith(runIds, RunAdmitted.class) == RUNS;
            });

            String key = "tenant:" + it.tenant;
            Instant engagedAt = Instant.now();
            it.send(Topics.KILL_SWITCHES.name(), key, KillSwitch.newBuilder().setScope(KillSwitchScope.TENANT)
                    .setTarget(it.tenant).setEngaged(true).setReason("incident").setUpdatedAt(engagedAt)
                    .setUpdatedBy("it").build());
            long acked = System.nanoTime();
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> {
                it.poll();
                return it.runsEndingWith(runIds, RunHalted.class) == RUNS;
            });
            long tookMs = Duration.ofNanos(System.nanoTime() - acked).toMillis();
            assertThat(tookMs).as("all %d runs halted %d ms after the switch was written", RUNS, tookMs)
                    .isLessThanOrEqualTo(1000);
            for (String runId : runIds) {
                LedgerEvent halted = it.events(runId).get(1);
                assertThat(halted.getOccurredAt()).isEqualTo(engagedAt.truncatedTo(ChronoUnit.MILLIS));
                assertThat(((RunHalted) halted.getPayload()).getReasons().get(0).getCode())
                        .isEqualTo(ReasonCode.KILL_SWITCH);
            }

            String late = it.prefix + "-run-late";
            it.send(requestRun(it, late, agent));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                it.poll();
                return !it.events(late).isEmpty();
            });
            assertThat(it.events(late).get(0).getPayload()).isInstanceOf(RunRejected.class);

            it.send(Topics.KILL_SWITCHES.name(), key, KillSwitch.newBuilder().setScope(KillSwitchScope.TENANT)
                    .setTarget(it.tenant).setEngaged(false).setUpdatedAt(Instant.now()).setUpdatedBy("it").build());
            // The lift reaches the global store asynchronously: start a new run now and then until one is admitted.
            java.util.List<String> attempts = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
                it.poll();
                if (attempts.stream().anyMatch(id -> it.events(id).stream()
                        .anyMatch(e -> e.getPayload() instanceof RunAdmitted))) {
                    return true;
                }
                String runId = it.prefix + "-after-lift-" + attempts.size();
                attempts.add(runId);
                it.send(requestRun(it, runId, agent));
                return false;
            });
            assertThat(it.runsEndingWith(runIds, RunHalted.class)).as("halted runs stay halted").isEqualTo(RUNS);
        }
    }

    private static Command requestRun(ProcessorItSupport it, String runId, String agent) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setRunId(runId)
                .setTenantId(it.tenant).setPrincipalId(agent).setIssuedAt(Instant.now())
                .setPayload(requestRunPayload()).build();
    }

    private static RequestRun requestRunPayload() {
        return RequestRun.newBuilder().setWorkflow("support-triage").setEnvironment("staging")
                .setClassification("Internal").build();
    }

    private Command command(String runId, String principalId, Object payload) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setRunId(runId)
                .setTenantId(it.tenant).setPrincipalId(principalId).setIssuedAt(Instant.now()).setPayload(payload)
                .build();
    }

    private static DecideApproval decision(ApprovalDecision decision) {
        return DecideApproval.newBuilder().setCallId("c1").setDecision(decision).setReason("it").build();
    }
}

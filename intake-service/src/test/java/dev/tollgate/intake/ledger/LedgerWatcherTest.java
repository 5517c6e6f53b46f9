package dev.tollgate.intake.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Grants;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LedgerWatcherTest {

    private final LedgerWatcher watcher = new LedgerWatcher(new TollgateSerdes(new InMemorySchemaRegistry()), 100, 2);

    @Test
    void completesAWaiterWhenTheCallFinishesAndShowsTheResultToTheRunOwnerOnly() {
        watcher.onEvent(event("run-1", new RunAdmitted("w", "e", "c", "default", new Grants(), "")));
        CompletableFuture<CallOutcome> owner = watcher.await("run-1", "call-1", "agent-1").orElseThrow();
        CompletableFuture<CallOutcome> stranger = watcher.await("run-1", "call-1", "agent-2").orElseThrow();
        watcher.onEvent(event("run-1", ToolCallApproved.newBuilder().setCallId("call-1").setTool("echo")
                .setArgsJson("{}").setArgsSha256("x").build()));
        assertThat(owner).isNotDone();
        assertThat(watcher.outcome("run-1", "call-1").orElseThrow().decision()).isEqualTo("APPROVED");

        watcher.onResult(result("run-1", "call-1", "{\"echo\":1}"));

        assertThat(owner).isCompleted();
        assertThat(owner.join().status()).isEqualTo(ToolCallStatus.SUCCEEDED);
        assertThat(owner.join().resultJson()).isEqualTo("{\"echo\":1}");
        assertThat(stranger.join().resultJson()).isNull();
        assertThat(watcher.waiting()).isZero();
    }

    @Test
    void answersAHeldCallAndIndexesItForApprovers() {
        watcher.onEvent(event("run-2", new RunAdmitted("w", "e", "c", "default", new Grants(), "")));
        CompletableFuture<CallOutcome> waiter = watcher.await("run-2", "call-9", "agent-1").orElseThrow();
        watcher.onEvent(event("run-2", ToolCallHeld.newBuilder().setCallId("call-9").setTool("email.send")
                .setArgsJson("{}").setArgsSha256("x").setApproverRoles(List.of("support-lead"))
                .setExpiresAt(Instant.EPOCH).build()));
        assertThat(waiter.join().decision()).isEqualTo("PENDING_APPROVAL");
        HeldCall held = watcher.heldCall("acme", "call-9").orElseThrow();
        assertThat(held.runId()).isEqualTo("run-2");
        assertThat(held.pending()).isTrue();
        assertThat(watcher.heldCall("globex", "call-9")).isEmpty();

        watcher.onEvent(event("run-2", new ApprovalGranted("call-9", "human-1", "ok")));
        assertThat(watcher.heldCall("acme", "call-9").orElseThrow().pending()).isFalse();
    }

    @Test
    void boundsWaitersAndForgetsReleasedOnes() {
        CompletableFuture<CallOutcome> a = watcher.await("r", "a", "p").orElseThrow();
        watcher.await("r", "b", "p").orElseThrow();
        assertThat(watcher.await("r", "c", "p")).isEmpty();
        watcher.release(a);
        assertThat(watcher.waiting()).isEqualTo(1);
        assertThat(watcher.await("r", "c", "p")).isPresent();
    }

    private static LedgerEvent event(String runId, Object payload) {
        return LedgerEvent.newBuilder().setRunId(runId).setSeq(1).setEventId("e").setOccurredAt(Instant.EPOCH)
                .setTenantId("acme").setPrincipalId("agent-1").setPrevHash("0".repeat(64)).setPayload(payload)
                .build();
    }

    private static ToolCallResult result(String runId, String callId, String json) {
        Receipt receipt = Receipt.newBuilder().setKeyId("k").setRunId(runId).setCallId(callId).setTool("echo")
                .setArgsSha256("a").setResultSha256("r").setStatus(ToolCallStatus.SUCCEEDED)
                .setStartedAt(Instant.EPOCH).setFinishedAt(Instant.EPOCH).setSignature("s").build();
        return ToolCallResult.newBuilder().setRunId(runId).setCallId(callId).setTool("echo")
                .setStatus(ToolCallStatus.SUCCEEDED).setResultJson(json).setResultSha256("r")
                .setStartedAt(Instant.EPOCH).setFinishedAt(Instant.EPOCH).setReceipt(receipt).build();
    }
}

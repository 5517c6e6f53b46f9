package dev.tollgate.intake.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.Grants;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.ledger.model.HeldCallView;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LedgerWatcherTest {

    private final LedgerWatcher watcher = new LedgerWatcher(new TollgateSerdes(new InMemorySchemaRegistry()), 100, 2);
    private final Map<String, Long> seqs = new HashMap<>();

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
        assertThat(owner.join().status()).isEqualTo("SUCCEEDED");
        assertThat(owner.join().resultJson()).isEqualTo("{\"echo\":1}");
        assertThat(owner.join().receipt().path("keyId").asText()).isEqualTo("k");
        assertThat(stranger.join().resultJson()).isNull();
        assertThat(watcher.waiting()).isZero();
    }

    @Test
    void answersAHeldCallAndIndexesItByRunAndByTenant() {
        watcher.onEvent(event("run-2", new RunAdmitted("w", "e", "c", "default", new Grants(), "")));
        CompletableFuture<CallOutcome> waiter = watcher.await("run-2", "call-9", "agent-1").orElseThrow();
        watcher.onEvent(event("run-2", held("call-9")));
        assertThat(waiter.join().decision()).isEqualTo("PENDING_APPROVAL");
        HeldCallView held = watcher.heldCall("run-2", "call-9").orElseThrow();
        assertThat(held.tenantId()).isEqualTo("acme");
        assertThat(held.pending()).isTrue();
        assertThat(watcher.heldCalls("acme", "call-9")).containsExactly(held);
        assertThat(watcher.heldCalls("globex", "call-9")).isEmpty();

        watcher.onEvent(event("run-2", new ApprovalGranted("call-9", "human-1", "ok")));
        assertThat(watcher.heldCall("run-2", "call-9").orElseThrow().pending()).isFalse();
    }

    @Test
    void theSameCallIdHeldInTwoRunsIsTwoCandidates() {
        watcher.onEvent(event("run-a", held("call-1")));
        watcher.onEvent(event("run-b", held("call-1")));

        assertThat(watcher.heldCalls("acme", "call-1")).extracting(HeldCallView::runId)
                .containsExactly("run-a", "run-b");
        assertThat(watcher.heldCall("run-b", "call-1")).isPresent();

        watcher.onEvent(event("run-a", new ApprovalGranted("call-1", "human-1", "ok")));
        assertThat(watcher.heldCall("run-a", "call-1").orElseThrow().pending()).isFalse();
        assertThat(watcher.heldCall("run-b", "call-1").orElseThrow().pending()).as("the other run's call").isTrue();
    }

    @Test
    void aRejectedToolCallRequestAnswersTheWaiterDeniedAsTheProjectorShowsIt() {
        CompletableFuture<CallOutcome> waiter = watcher.await("run-3", "call-2", "agent-1").orElseThrow();
        watcher.onEvent(event("run-3", CommandRejected.newBuilder().setCommandId("cmd").setCommandType(
                "RequestToolCall").setCallId("call-2").setReasons(List.of(Reason.newBuilder()
                .setCode(ReasonCode.PRINCIPAL_MISMATCH).setMessage("not yours").build())).build()));

        assertThat(waiter.join().decision()).isEqualTo("DENIED");
        assertThat(waiter.join().reasons()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("PRINCIPAL_MISMATCH");
            assertThat(r.message()).isEqualTo("not yours");
        });
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

    @Test
    void heldCallsOlderThanTheWindowComeFromTheProjectorAndEveryCandidateIsReturned() {
        watcher.onEvent(event("run-new", held("call-5")));
        HeldCallView old = new HeldCallView("call-5", "run-old", "acme", "agent-2", "email.send", List.of("lead"),
                "2026-01-01T00:00:00Z", HeldCallView.PENDING, 3);
        HeldCallView otherTenant = new HeldCallView("call-5", "run-x", "globex", "agent-3", "email.send", List.of(),
                "2026-01-01T00:00:00Z", HeldCallView.PENDING, 3);
        HeldCallIndex index = new HeldCallIndex(watcher, projector(List.of(old, otherTenant), null));

        assertThat(index.byTenant("acme", "call-5", "Bearer k")).extracting(HeldCallView::runId)
                .containsExactly("run-new", "run-old");
        assertThat(index.byRun("run-old", "call-5", "Bearer k")).contains(old);
        assertThat(index.byRun("run-new", "call-5", "Bearer k").orElseThrow().runPrincipalId())
                .isEqualTo("agent-1");
    }

    @Test
    void theRecentWindowWinsOverALaggingProjector() {
        watcher.onEvent(event("run-6", held("call-6")));
        watcher.onEvent(event("run-6", new ApprovalGranted("call-6", "human-1", "ok")));
        HeldCallView stale = new HeldCallView("call-6", "run-6", "acme", "agent-1", "email.send", List.of(),
                "2026-01-01T00:00:00Z", HeldCallView.PENDING, 1);
        HeldCallIndex index = new HeldCallIndex(watcher, projector(List.of(stale), null));

        assertThat(index.byTenant("acme", "call-6", "Bearer k")).singleElement()
                .extracting(HeldCallView::status).isEqualTo(HeldCallView.GRANTED);
    }

    @Test
    void anUnreachableProjectorIsNeverGuessedAround() {
        watcher.onEvent(event("run-7", held("call-7")));
        HeldCallIndex index = new HeldCallIndex(watcher, projector(List.of(), null));
        HeldCallIndex down = new HeldCallIndex(watcher, unreachable());

        assertThat(index.byTenant("acme", "call-7", "Bearer k")).hasSize(1);
        assertThatThrownBy(() -> down.byTenant("acme", "call-7", "Bearer k"))
                .isInstanceOf(ProjectorLookup.Unavailable.class);
        assertThat(new RunDirectory(watcher, unreachable()).owner("run-unknown", "Bearer k")).isEmpty();
    }

    @Test
    void ownersOfOlderRunsAreLookedUpOnceAndRemembered() {
        int[] lookups = {0};
        ProjectorLookup projector = new ProjectorLookup() {
            @Override
            public boolean configured() {
                return true;
            }

            @Override
            public Optional<RunOwner> runOwner(String runId, String authorization) {
                lookups[0]++;
                return Optional.of(new RunOwner("acme", "agent-9"));
            }

            @Override
            public List<HeldCallView> heldCalls(String callId, String runId, String authorization) {
                return List.of();
            }
        };
        RunDirectory directory = new RunDirectory(watcher, projector);

        assertThat(directory.owner("run-old", "Bearer k")).contains(new RunOwner("acme", "agent-9"));
        assertThat(directory.owner("run-old", "Bearer k")).contains(new RunOwner("acme", "agent-9"));
        assertThat(lookups[0]).isEqualTo(1);
    }

    private static ProjectorLookup projector(List<HeldCallView> held, RunOwner owner) {
        return new ProjectorLookup() {
            @Override
            public boolean configured() {
                return true;
            }

            @Override
            public Optional<RunOwner> runOwner(String runId, String authorization) {
                return Optional.ofNullable(owner);
            }

            @Override
            public List<HeldCallView> heldCalls(String callId, String runId, String authorization) {
                return held.stream().filter(h -> h.callId().equals(callId))
                        .filter(h -> runId == null || h.runId().equals(runId)).toList();
            }
        };
    }

    private static ProjectorLookup unreachable() {
        return new ProjectorLookup() {
            @Override
            public boolean configured() {
                return true;
            }

            @Override
            public Optional<RunOwner> runOwner(String runId, String authorization) {
                throw new Unavailable("down");
            }

            @Override
            public List<HeldCallView> heldCalls(String callId, String runId, String authorization) {
                throw new Unavailable("down");
            }
        };
    }

    private static ToolCallHeld held(String callId) {
        return ToolCallHeld.newBuilder().setCallId(callId).setTool("email.send").setArgsJson("{}")
                .setArgsSha256("x").setApproverRoles(List.of("support-lead")).setExpiresAt(Instant.EPOCH).build();
    }

    private LedgerEvent event(String runId, Object payload) {
        long seq = seqs.merge(runId, 1L, Long::sum);
        return LedgerEvent.newBuilder().setRunId(runId).setSeq(seq).setEventId("e" + seq)
                .setOccurredAt(Instant.EPOCH).setTenantId("acme").setPrincipalId("agent-1")
                .setPrevHash("0".repeat(64)).setPayload(payload).build();
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

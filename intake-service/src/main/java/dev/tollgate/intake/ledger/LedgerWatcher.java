package dev.tollgate.intake.ledger;

import dev.tollgate.events.ApprovalDenied;
import dev.tollgate.events.ApprovalExpired;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What intake learns from {@code tollgate.ledger.v1} (read from the beginning at start) and
 * {@code tollgate.tool-results.v1} (followed from the end): whose each run is (to answer 404 for another tenant's
 * run), the outcome of each tool call (to answer {@code ?waitMs}), and the calls held for approval, by tenant and
 * callId (to route {@code POST /v1/approvals/{callId}} to its run). Runs and outcomes are bounded LRU views; a run
 * or call intake no longer remembers is simply accepted and left to the policy-processor, which decides anyway.
 *
 * <p>Waiters: a request with {@code waitMs} registers a future for (runId, callId) before its command is produced;
 * the reader thread completes it when the call is denied, held or finished. Waiters are bounded and removed on
 * completion or timeout.
 */
public final class LedgerWatcher {

    private final Deserializer<LedgerEvent> ledger;
    private final Deserializer<ToolCallResult> results;
    private final Map<String, RunOwner> runs;
    private final Map<String, CallOutcome> calls;
    private final Map<String, String> recentResults;
    private final Map<String, HeldCall> held;
    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final int maxWaiters;
    private final List<Consumer<LedgerEvent>> listeners = new CopyOnWriteArrayList<>();

    private record Waiter(CompletableFuture<CallOutcome> future, String principalId) {
    }

    public LedgerWatcher(TollgateSerdes serdes, int maxEntries, int maxWaiters) {
        this.ledger = serdes.value(Topics.LEDGER).deserializer();
        this.results = serdes.value(Topics.TOOL_RESULTS).deserializer();
        this.runs = new LruMap<>(maxEntries);
        this.calls = new LruMap<>(maxEntries);
        this.recentResults = new LruMap<>(1000);
        this.held = new LruMap<>(maxEntries);
        this.maxWaiters = maxWaiters;
    }

    /** Takes one record of the ledger or the tool-results topic. */
    public void handle(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        if (record.topic().equals(Topics.TOOL_RESULTS.name())) {
            onResult(results.deserialize(record.topic(), record.value()));
        } else {
            onEvent(ledger.deserialize(record.topic(), record.value()));
        }
    }

    /** Also hands every ledger event to {@code listener} (on the reader thread), after this view applied it. */
    public void addListener(Consumer<LedgerEvent> listener) {
        listeners.add(listener);
    }

    /** Applies one ledger event. */
    public void onEvent(LedgerEvent event) {
        apply(event);
        listeners.forEach(listener -> listener.accept(event));
    }

    private void apply(LedgerEvent event) {
        String runId = event.getRunId();
        synchronized (runs) {
            runs.putIfAbsent(runId, new RunOwner(event.getTenantId(), event.getPrincipalId()));
        }
        Object payload = event.getPayload();
        if (payload instanceof ToolCallApproved p) {
            update(runId, p.getCallId(), CallOutcome.APPROVED, List.of());
        } else if (payload instanceof ToolCallDenied p) {
            update(runId, p.getCallId(), CallOutcome.DENIED, p.getReasons());
        } else if (payload instanceof ToolCallHeld p) {
            synchronized (held) {
                held.put(heldKey(event.getTenantId(), p.getCallId()), new HeldCall(p.getCallId(), runId,
                        event.getTenantId(), event.getPrincipalId(), p.getApproverRoles(), true));
            }
            update(runId, p.getCallId(), CallOutcome.PENDING_APPROVAL, List.of());
        } else if (payload instanceof ApprovalGranted p) {
            decided(event.getTenantId(), p.getCallId());
            update(runId, p.getCallId(), CallOutcome.APPROVED, List.of());
        } else if (payload instanceof ApprovalDenied p) {
            decided(event.getTenantId(), p.getCallId());
            update(runId, p.getCallId(), CallOutcome.DENIED,
                    List.of(reason(ReasonCode.APPROVAL_DENIED, p.getReason())));
        } else if (payload instanceof ApprovalExpired p) {
            decided(event.getTenantId(), p.getCallId());
            update(runId, p.getCallId(), CallOutcome.DENIED,
                    List.of(reason(ReasonCode.APPROVAL_EXPIRED, "the approval expired")));
        } else if (payload instanceof ToolCallCompleted p) {
            CallOutcome known = outcome(runId, p.getCallId()).orElse(null);
            CallOutcome next = new CallOutcome(runId, p.getCallId(), CallOutcome.APPROVED, List.of(), p.getStatus(),
                    p.getReceipt() != null ? p.getReceipt() : known == null ? null : known.receipt(),
                    null, null);
            put(next);
        } else if (payload instanceof CommandRejected p && p.getCallId() != null
                && "RequestToolCall".equalsIgnoreCase(p.getCommandType())) {
            update(runId, p.getCallId(), CallOutcome.DENIED, p.getReasons());
        }
    }

    /** Applies one tool result (the only place the tool's output is seen). */
    public void onResult(ToolCallResult result) {
        String key = callKey(result.getRunId(), result.getCallId());
        if (result.getResultJson() != null) {
            synchronized (recentResults) {
                recentResults.put(key, result.getResultJson());
            }
        }
        put(new CallOutcome(result.getRunId(), result.getCallId(), CallOutcome.APPROVED, List.of(),
                result.getStatus(), result.getReceipt(), null, null));
    }

    private void update(String runId, String callId, String decision, List<Reason> reasons) {
        CallOutcome known = outcome(runId, callId).orElse(null);
        if (known != null && known.status() != null) {
            return;
        }
        put(new CallOutcome(runId, callId, decision, reasons, null, null, null, null));
    }

    private void put(CallOutcome outcome) {
        String key = callKey(outcome.runId(), outcome.callId());
        synchronized (calls) {
            calls.put(key, outcome);
        }
        if (outcome.answersWaiter()) {
            List<Waiter> list = waiters.get(key);
            if (list != null) {
                for (Waiter waiter : list) {
                    waiter.future().complete(forCaller(outcome, waiter.principalId()));
                }
            }
        }
    }

    private void decided(String tenantId, String callId) {
        synchronized (held) {
            held.computeIfPresent(heldKey(tenantId, callId), (k, h) -> new HeldCall(h.callId(), h.runId(),
                    h.tenantId(), h.runPrincipalId(), h.approverRoles(), false));
        }
    }

    /** The owner of a run, if intake has seen any of its ledger events. */
    public Optional<RunOwner> runOwner(String runId) {
        synchronized (runs) {
            return Optional.ofNullable(runs.get(runId));
        }
    }

    /** A call held for approval in a tenant, pending or already decided. */
    public Optional<HeldCall> heldCall(String tenantId, String callId) {
        synchronized (held) {
            return Optional.ofNullable(held.get(heldKey(tenantId, callId)));
        }
    }

    /** What is known of a call, without the tool's output. */
    public Optional<CallOutcome> outcome(String runId, String callId) {
        synchronized (calls) {
            return Optional.ofNullable(calls.get(callKey(runId, callId)));
        }
    }

    /**
     * Registers a waiter for a call; empty when too many requests wait already. The future completes with the
     * outcome as the caller may see it (with the tool's output only when the caller owns the run); the caller must
     * call {@link #release} when done with it.
     */
    public Optional<CompletableFuture<CallOutcome>> await(String runId, String callId, String principalId) {
        if (waiting.incrementAndGet() > maxWaiters) {
            waiting.decrementAndGet();
            return Optional.empty();
        }
        String key = callKey(runId, callId);
        Waiter waiter = new Waiter(new CompletableFuture<>(), principalId);
        waiters.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(waiter);
        waiter.future().whenComplete((outcome, error) -> remove(key, waiter));
        outcome(runId, callId).filter(CallOutcome::answersWaiter)
                .ifPresent(known -> waiter.future().complete(forCaller(known, principalId)));
        return Optional.of(waiter.future());
    }

    /** Forgets a waiter (idempotent). */
    public void release(CompletableFuture<CallOutcome> future) {
        future.cancel(false);
    }

    private void remove(String key, Waiter waiter) {
        waiters.computeIfPresent(key, (k, list) -> {
            if (list.remove(waiter)) {
                waiting.decrementAndGet();
            }
            return list.isEmpty() ? null : list;
        });
    }

    /** Requests waiting right now. */
    public int waiting() {
        return Math.max(0, waiting.get());
    }

    private CallOutcome forCaller(CallOutcome outcome, String principalId) {
        RunOwner owner = runOwner(outcome.runId()).orElse(null);
        if (owner == null || !owner.principalId().equals(principalId)) {
            return outcome.withOwner(owner == null ? null : owner.principalId());
        }
        String result;
        synchronized (recentResults) {
            result = recentResults.get(callKey(outcome.runId(), outcome.callId()));
        }
        return outcome.withOwner(owner.principalId()).withResult(outcome.status() == null ? null : result);
    }

    private static Reason reason(ReasonCode code, String message) {
        return Reason.newBuilder().setCode(code).setRuleId(null).setMessage(message == null ? "" : message)
                .setSuggest(new ArrayList<>()).build();
    }

    private static String callKey(String runId, String callId) {
        return runId + '\n' + callId;
    }

    private static String heldKey(String tenantId, String callId) {
        return tenantId + '\n' + callId;
    }
}

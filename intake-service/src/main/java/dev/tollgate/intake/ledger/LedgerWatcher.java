package dev.tollgate.intake.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.Topics;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.ledger.model.HeldCallView;
import dev.tollgate.ledger.model.LedgerFold;
import dev.tollgate.ledger.model.PayloadJson;
import dev.tollgate.ledger.model.ToolCallView;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What intake learns from {@code tollgate.ledger.v1} and {@code tollgate.tool-results.v1}, both read from near their
 * end (a bounded recent window, never the whole history): whose each run is, the outcome of each tool call (to
 * answer {@code ?waitMs}), and the calls held for approval. Every ledger event goes through the ledger-model's
 * {@link LedgerFold}, so intake and the projector tell the same story about a call. Runs, calls and held calls are
 * bounded LRU views; what is older than the window is looked up where it is kept, the projector's stores (see
 * {@link ProjectorLookup}), by {@link RunDirectory} and {@link HeldCallIndex}.
 *
 * <p>Held calls are keyed by (runId, callId), with a second index by (tenant, callId) that keeps every candidate:
 * a callId is unique within its run only.
 *
 * <p>Waiters: a request with {@code waitMs} registers a future for (runId, callId) before its command is produced;
 * the reader thread completes it when the call is denied, held or finished. Waiters are bounded and removed on
 * completion or timeout.
 */
public final class LedgerWatcher {

    private final Deserializer<LedgerEvent> ledger;
    private final Deserializer<ToolCallResult> results;
    private final Map<String, RunOwner> runs;
    private final Map<String, ToolCallView> calls;
    private final Map<String, CallOutcome> ran;
    private final Map<String, String> recentResults;
    private final Map<String, HeldCallView> held;
    private final Map<String, Set<String>> heldRunsByTenantCall;
    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final int maxWaiters;

    private record Waiter(CompletableFuture<CallOutcome> future, String principalId) {
    }

    public LedgerWatcher(TollgateSerdes serdes, int maxEntries, int maxWaiters) {
        this.ledger = serdes.value(Topics.LEDGER).deserializer();
        this.results = serdes.value(Topics.TOOL_RESULTS).deserializer();
        this.runs = new LruMap<>(maxEntries);
        this.calls = new LruMap<>(maxEntries);
        this.ran = new LruMap<>(maxEntries);
        this.recentResults = new LruMap<>(1000);
        this.held = new LruMap<>(maxEntries);
        this.heldRunsByTenantCall = new LruMap<>(maxEntries);
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

    /** Applies one ledger event. */
    public void onEvent(LedgerEvent event) {
        String runId = event.getRunId();
        synchronized (runs) {
            runs.putIfAbsent(runId, new RunOwner(event.getTenantId(), event.getPrincipalId()));
        }
        Optional<String> callId = LedgerFold.callIdOf(event);
        if (callId.isEmpty()) {
            return;
        }
        String key = callKey(runId, callId.get());
        HeldCallView heldCall;
        synchronized (held) {
            heldCall = LedgerFold.applyToHeld(held.get(key), event);
            if (heldCall != null) {
                held.put(key, heldCall);
                heldRunsByTenantCall.computeIfAbsent(tenantKey(heldCall.tenantId(), heldCall.callId()),
                        k -> new LinkedHashSet<>()).add(runId);
            }
        }
        ToolCallView view;
        synchronized (calls) {
            ToolCallView before = calls.get(key);
            view = LedgerFold.applyToCall(before, event);
            if (view == null || view == before) {
                return;
            }
            calls.put(key, view);
        }
        notifyWaiters(key, outcome(runId, callId.get()).orElseThrow());
    }

    /** Applies one tool result (the only place the tool's output is seen; it precedes the ledger's record of it). */
    public void onResult(ToolCallResult result) {
        String key = callKey(result.getRunId(), result.getCallId());
        if (result.getResultJson() != null) {
            synchronized (recentResults) {
                recentResults.put(key, result.getResultJson());
            }
        }
        JsonNode receipt = result.getReceipt() == null ? null : PayloadJson.of(result.getReceipt());
        synchronized (ran) {
            ran.put(key, new CallOutcome(result.getRunId(), result.getCallId(), CallOutcome.APPROVED, List.of(),
                    result.getStatus().name(), receipt, null, null));
        }
        notifyWaiters(key, outcome(result.getRunId(), result.getCallId()).orElseThrow());
    }

    private void notifyWaiters(String key, CallOutcome outcome) {
        if (outcome.answersWaiter()) {
            List<Waiter> list = waiters.get(key);
            if (list != null) {
                for (Waiter waiter : list) {
                    waiter.future().complete(forCaller(outcome, waiter.principalId()));
                }
            }
        }
    }

    /** The owner of a run, if intake has seen any of its ledger events. */
    public Optional<RunOwner> runOwner(String runId) {
        synchronized (runs) {
            return Optional.ofNullable(runs.get(runId));
        }
    }

    /** Remembers an owner learned elsewhere (from the projector); an owner seen on the ledger is kept. */
    void rememberOwner(String runId, RunOwner owner) {
        synchronized (runs) {
            runs.putIfAbsent(runId, owner);
        }
    }

    /** A call held for approval in a run, pending or decided, if it is in the recent window. */
    public Optional<HeldCallView> heldCall(String runId, String callId) {
        synchronized (held) {
            return Optional.ofNullable(held.get(callKey(runId, callId)));
        }
    }

    /** Every call held with this callId in a tenant that the recent window holds, pending or decided. */
    public List<HeldCallView> heldCalls(String tenantId, String callId) {
        synchronized (held) {
            Set<String> runIds = heldRunsByTenantCall.get(tenantKey(tenantId, callId));
            List<HeldCallView> out = new ArrayList<>();
            if (runIds != null) {
                for (String runId : runIds) {
                    HeldCallView view = held.get(callKey(runId, callId));
                    if (view != null) {
                        out.add(view);
                    }
                }
            }
            return out;
        }
    }

    /** What is known of a call, without the tool's output. */
    public Optional<CallOutcome> outcome(String runId, String callId) {
        String key = callKey(runId, callId);
        ToolCallView view;
        synchronized (calls) {
            view = calls.get(key);
        }
        CallOutcome done;
        synchronized (ran) {
            done = ran.get(key);
        }
        if (view == null) {
            return Optional.ofNullable(done);
        }
        if (view.status() == null && done != null) {
            // The gateway's result arrives before the ledger records the completion.
            return Optional.of(new CallOutcome(runId, callId, view.decision(), view.reasons(), done.status(),
                    done.receipt(), null, null));
        }
        return Optional.of(new CallOutcome(runId, callId, view.decision(), view.reasons(), view.status(),
                view.receipt(), null, null));
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

    private static String callKey(String runId, String callId) {
        return runId + '\n' + callId;
    }

    private static String tenantKey(String tenantId, String callId) {
        return tenantId + '\n' + callId;
    }
}

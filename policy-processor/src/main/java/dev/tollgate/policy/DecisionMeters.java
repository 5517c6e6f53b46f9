package dev.tollgate.policy;

import dev.tollgate.events.ApprovalDenied;
import dev.tollgate.events.ApprovalExpired;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallHeld;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy-processor's decision metrics, counted where each event is appended to the ledger:
 * {@code tollgate_decisions_total{type, outcome, code}} (code: the first, deciding reason), every reason of a denial
 * in {@code tollgate_denial_reasons_total{type, code, rule}}, every appended event in
 * {@code tollgate_ledger_events_total{event}}, and {@code tollgate_decision_latency_seconds{type}} from the command's
 * record timestamp to the append. Under exactly-once a transaction that aborts is re-processed, so a counter can run
 * ahead of the ledger by what an aborted transaction had appended.
 */
final class DecisionMeters {

    private static final String NONE = "none";
    private final MeterRegistry registry;
    /**
     * Meters already registered, by their tags: registering through a builder on every event (Micrometer builds,
     * sorts and looks up its id each time) cost more than the rest of the accounting.
     */
    private final Map<String, Counter> events = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> denialReasons = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();

    DecisionMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * One appended event.
     *
     * @param commandTimestampMs the record timestamp of the command it answers, or -1 (timers, tool results)
     * @param nowMs              wall clock at the append
     */
    void appended(LedgerEvent event, long commandTimestampMs, long nowMs) {
        Object payload = event.getPayload();
        events.computeIfAbsent(payload.getClass().getSimpleName(), name -> Counter.builder("tollgate.ledger.events")
                .tag("event", name).description("Events appended to tollgate.ledger.v1").register(registry))
                .increment();
        String[] decision = classify(payload);
        if (decision == null) {
            return;
        }
        List<Reason> reasons = reasons(payload);
        String code = reasons.isEmpty() ? NONE : reasons.get(0).getCode().name();
        decisions.computeIfAbsent(List.of(decision[0], decision[1], code), tags -> Counter.builder("tollgate.decisions")
                .tag("type", tags.get(0)).tag("outcome", tags.get(1)).tag("code", tags.get(2))
                .description("Decisions appended to the ledger").register(registry)).increment();
        for (Reason reason : reasons) {
            String rule = reason.getRuleId() == null || reason.getRuleId().isEmpty() ? NONE : reason.getRuleId();
            denialReasons.computeIfAbsent(List.of(decision[0], reason.getCode().name(), rule), tags ->
                    Counter.builder("tollgate.denial.reasons").tag("type", tags.get(0)).tag("code", tags.get(1))
                            .tag("rule", tags.get(2))
                            .description("Reasons of denials, by code and the rule or check that gave them")
                            .register(registry)).increment();
        }
        if (commandTimestampMs >= 0) {
            latencies.computeIfAbsent(decision[0], type -> Timer.builder("tollgate.decision.latency").tag("type", type)
                    .description("From the command's record timestamp to the decision's ledger append")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30)).register(registry))
                    .record(Duration.ofMillis(Math.max(0, nowMs - commandTimestampMs)));
        }
    }

    /** {type, outcome} of a decision event, or null for events that are not decisions. */
    static String[] classify(Object payload) {
        if (payload instanceof RunAdmitted) {
            return new String[] {"run", "admitted"};
        } else if (payload instanceof RunRejected) {
            return new String[] {"run", "rejected"};
        } else if (payload instanceof RunHalted) {
            return new String[] {"run", "halted"};
        } else if (payload instanceof ToolCallApproved) {
            return new String[] {"tool_call", "approved"};
        } else if (payload instanceof ToolCallDenied) {
            return new String[] {"tool_call", "denied"};
        } else if (payload instanceof ToolCallHeld) {
            return new String[] {"tool_call", "held"};
        } else if (payload instanceof ApprovalGranted) {
            return new String[] {"approval", "granted"};
        } else if (payload instanceof ApprovalDenied) {
            return new String[] {"approval", "denied"};
        } else if (payload instanceof ApprovalExpired) {
            return new String[] {"approval", "expired"};
        } else if (payload instanceof CommandRejected) {
            return new String[] {"command", "rejected"};
        }
        return null;
    }

    private static List<Reason> reasons(Object payload) {
        if (payload instanceof ToolCallDenied denied) {
            return denied.getReasons();
        } else if (payload instanceof RunRejected rejected) {
            return rejected.getReasons();
        } else if (payload instanceof RunHalted halted) {
            return halted.getReasons();
        } else if (payload instanceof CommandRejected rejected) {
            return rejected.getReasons();
        }
        return List.of();
    }
}

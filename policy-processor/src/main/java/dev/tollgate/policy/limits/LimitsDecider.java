package dev.tollgate.policy.limits;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.UsageRecorded;
import dev.tollgate.policy.engine.Limits;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Reasons;
import dev.tollgate.policy.state.LimitUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Tenant- and agent-wide limits ({@code limits} of the bundle). Runs are keyed by runId, so these counters cannot
 * live with the run: {@link #facts} turns each ledger event into a usage delta keyed by scope and window (the UTC day
 * of the event time for a tenant, the minute for an agent), the processor repartitions the deltas by that key,
 * aggregates them and feeds the totals back as a global store, which {@link #admission} and {@link #toolCall} read
 * through {@link PolicyContext#limitUsage}. Enforced within the overshoot bound documented in docs/architecture.md:
 * what is decided before the totals come back. Pure: no Kafka, no clock.
 */
public final class LimitsDecider {

    static final long DAY = Duration.ofDays(1).toMillis();
    static final long MINUTE = Duration.ofMinutes(1).toMillis();

    private LimitsDecider() {
    }

    /** The window key of a tenant's UTC day. */
    public static String tenantDay(String tenantId, Instant at) {
        return "tenant:" + tenantId + "|" + Math.floorDiv(at.toEpochMilli(), DAY) * DAY;
    }

    /** The window key of an agent's minute. */
    public static String agentMinute(String principalId, Instant at) {
        return "agent:" + principalId + "|" + Math.floorDiv(at.toEpochMilli(), MINUTE) * MINUTE;
    }

    /** RunRejected reasons for a new run: the tenant's runs or cost of the day are used up. */
    public static Optional<Reason> admission(Limits limits, PolicyContext context, String tenantId, Instant at) {
        LimitUsage day = usage(context, tenantDay(tenantId, at));
        if (limits.tenantRunsPerDay() > 0 && day.getRuns() >= limits.tenantRunsPerDay()) {
            return Optional.of(Reasons.of(ReasonCode.TENANT_BUDGET_EXHAUSTED, "limits.tenant.runsPerDay", "tenant "
                    + tenantId + " started " + day.getRuns() + " of its " + limits.tenantRunsPerDay() + " runs today"));
        }
        return tenantCost(limits, tenantId, day);
    }

    /** ToolCallDenied reasons: the tenant's cost of the day is used up, or the agent's calls of the minute. */
    public static Optional<Reason> toolCall(Limits limits, PolicyContext context, String tenantId, String principalId,
                                            Instant at) {
        Optional<Reason> cost = tenantCost(limits, tenantId, usage(context, tenantDay(tenantId, at)));
        if (cost.isPresent()) {
            return cost;
        }
        LimitUsage minute = usage(context, agentMinute(principalId, at));
        if (limits.agentToolCallsPerMinute() > 0 && minute.getToolCalls() >= limits.agentToolCallsPerMinute()) {
            return Optional.of(Reasons.of(ReasonCode.RATE_LIMITED, "limits.agent.toolCallsPerMinute", "agent "
                    + principalId + " made " + minute.getToolCalls() + " of its " + limits.agentToolCallsPerMinute()
                    + " tool calls this minute"));
        }
        return Optional.empty();
    }

    private static Optional<Reason> tenantCost(Limits limits, String tenantId, LimitUsage day) {
        if (limits.tenantCostMicrosPerDay() > 0 && day.getCostMicros() >= limits.tenantCostMicrosPerDay()) {
            return Optional.of(Reasons.of(ReasonCode.TENANT_BUDGET_EXHAUSTED, "limits.tenant.costMicrosPerDay",
                    "tenant " + tenantId + " spent " + day.getCostMicros() + " of its "
                            + limits.tenantCostMicrosPerDay() + " micro-USD today"));
        }
        return Optional.empty();
    }

    private static LimitUsage usage(PolicyContext context, String key) {
        return context.limitUsage(key).orElseGet(() -> empty(key));
    }

    /** The usage deltas one ledger event contributes: runs started, cost spent, tool calls made (approved or held). */
    public static List<LimitUsage> facts(LedgerEvent event) {
        Object payload = event.getPayload();
        Instant at = event.getOccurredAt();
        if (payload instanceof RunAdmitted) {
            return List.of(delta(tenantDay(event.getTenantId(), at), 1, 0, 0));
        }
        if (payload instanceof UsageRecorded usage && usage.getCostMicros() > 0) {
            return List.of(delta(tenantDay(event.getTenantId(), at), 0, usage.getCostMicros(), 0));
        }
        if (payload instanceof ToolCallCompleted completed && completed.getCostMicros() > 0) {
            return List.of(delta(tenantDay(event.getTenantId(), at), 0, completed.getCostMicros(), 0));
        }
        if (payload instanceof ToolCallApproved || payload instanceof ToolCallHeld) {
            return List.of(delta(agentMinute(event.getPrincipalId(), at), 0, 0, 1));
        }
        return List.of();
    }

    /** The window key of a delta or total: {@code <scopeKey>|<windowStart>}. */
    public static String key(LimitUsage usage) {
        return usage.getScopeKey() + "|" + usage.getWindowStart();
    }

    /** Adds a delta to a total (either may be null). */
    public static LimitUsage add(LimitUsage total, LimitUsage delta) {
        if (total == null) {
            return LimitUsage.newBuilder(delta).build();
        }
        return LimitUsage.newBuilder(total).setRuns(total.getRuns() + delta.getRuns())
                .setCostMicros(total.getCostMicros() + delta.getCostMicros())
                .setToolCalls(total.getToolCalls() + delta.getToolCalls()).build();
    }

    /** When a window's total is no longer needed: a day after the window ended. */
    public static long expiresAt(LimitUsage usage) {
        long length = usage.getScopeKey().startsWith("agent:") ? MINUTE : DAY;
        return usage.getWindowStart() + length + DAY;
    }

    private static LimitUsage delta(String key, long runs, long cost, long calls) {
        return LimitUsage.newBuilder(empty(key)).setRuns(runs).setCostMicros(cost).setToolCalls(calls).build();
    }

    private static LimitUsage empty(String key) {
        int bar = key.lastIndexOf('|');
        return LimitUsage.newBuilder().setScopeKey(key.substring(0, bar))
                .setWindowStart(Long.parseLong(key.substring(bar + 1))).build();
    }
}

package dev.tollgate.policy.engine;

/**
 * Tenant- and agent-wide limits; 0 means no limit.
 *
 * @param tenantRunsPerDay        runs a tenant may start per day
 * @param tenantCostMicrosPerDay  cost a tenant may spend per day
 * @param agentToolCallsPerMinute tool calls an agent may make per minute
 */
public record Limits(long tenantRunsPerDay, long tenantCostMicrosPerDay, long agentToolCallsPerMinute) {

    /** No limits. */
    public static final Limits NONE = new Limits(0, 0, 0);
}

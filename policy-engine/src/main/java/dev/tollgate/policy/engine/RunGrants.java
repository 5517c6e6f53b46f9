package dev.tollgate.policy.engine;

import java.util.List;

/**
 * What a {@code runs} entry grants an admitted run.
 *
 * @param tools         tools the run may call (each declared under {@code tools})
 * @param maxToolCalls  cap on the run's tool calls (approved or held)
 * @param costMicros    cost budget in micro-USD
 * @param tokens        token budget
 * @param retentionDays how long the run's ledger must be kept
 */
public record RunGrants(List<String> tools, int maxToolCalls, long costMicros, long tokens, int retentionDays) {

    public RunGrants {
        tools = List.copyOf(tools);
    }
}

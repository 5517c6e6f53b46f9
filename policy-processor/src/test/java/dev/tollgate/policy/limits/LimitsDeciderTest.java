package dev.tollgate.policy.limits;

import static dev.tollgate.policy.Fixtures.AGENT;
import static dev.tollgate.policy.Fixtures.T0;
import static dev.tollgate.policy.Fixtures.TENANT;
import static dev.tollgate.policy.Fixtures.identity;
import static dev.tollgate.policy.Fixtures.referenceWith;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.policy.RunHarness;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.StaticPolicyContext;
import dev.tollgate.policy.state.LimitUsage;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LimitsDeciderTest {

    private static final String SEARCH = "{\"q\":\"refund policy\"}";
    private static final CompiledBundle LIMITED = referenceWith(
            "tenant: {runsPerDay: 1000, costMicrosPerDay: 50000000}\n    agent: {toolCallsPerMinute: 600}",
            "tenant: {runsPerDay: 2, costMicrosPerDay: 5000}\n    agent: {toolCallsPerMinute: 3}");

    /** A context whose totals are whatever the test says they are (as fed back by the aggregation). */
    private static final class Totals extends HashMap<String, LimitUsage> {

        PolicyContext context() {
            StaticPolicyContext base = new StaticPolicyContext(LIMITED, Map.of(AGENT, identity(AGENT, true)),
                    Map.of());
            return new PolicyContext() {
                @Override
                public Optional<CompiledBundle> bundle() {
                    return base.bundle();
                }

                @Override
                public Optional<dev.tollgate.events.Identity> identity(String principalId) {
                    return base.identity(principalId);
                }

                @Override
                public Optional<dev.tollgate.events.KillSwitch> killSwitch(String scopeKey) {
                    return base.killSwitch(scopeKey);
                }

                @Override
                public Optional<LimitUsage> limitUsage(String windowKey) {
                    return Optional.ofNullable(get(windowKey));
                }
            };
        }

        void set(String key, long runs, long cost, long calls) {
            int bar = key.lastIndexOf('|');
            put(key, LimitUsage.newBuilder().setScopeKey(key.substring(0, bar))
                    .setWindowStart(Long.parseLong(key.substring(bar + 1))).setRuns(runs).setCostMicros(cost)
                    .setToolCalls(calls).build());
        }
    }

    @Test
    void windowsAreTheUtcDayAndTheMinuteOfTheEventTime() {
        Instant at = Instant.parse("2026-11-22T23:59:59.999Z");
        assertThat(LimitsDecider.tenantDay("acme", at)).isEqualTo("tenant:acme|"
                + Instant.parse("2026-11-22T00:00:00Z").toEpochMilli());
        assertThat(LimitsDecider.agentMinute("a", at)).isEqualTo("agent:a|"
                + Instant.parse("2026-11-22T23:59:00Z").toEpochMilli());
    }

    @Test
    void rejectsRunsOnceTheTenantsRunsOfTheDayAreUsedUp() {
        Totals totals = new Totals();
        RunHarness run = new RunHarness(totals.context());
        totals.set(LimitsDecider.tenantDay(TENANT, T0), 1, 0, 0);
        assertThat(run.when(requestRun("r1"))).singleElement().isInstanceOf(RunAdmitted.class);
        totals.set(LimitsDecider.tenantDay(TENANT, T0), 2, 0, 0);
        RunRejected rejected = run.single(requestRun("r2"), RunRejected.class);
        assertThat(rejected.getReasons().get(0).getCode()).isEqualTo(ReasonCode.TENANT_BUDGET_EXHAUSTED);
        assertThat(rejected.getReasons().get(0).getRuleId()).isEqualTo("limits.tenant.runsPerDay");
        // The next UTC day starts from zero.
        totals.clear();
        assertThat(run.when(requestRun("r3"))).singleElement().isInstanceOf(RunAdmitted.class);
    }

    @Test
    void deniesCallsAndRunsOnceTheTenantsCostOfTheDayIsUsedUp() {
        Totals totals = new Totals();
        RunHarness run = new RunHarness(totals.context()).given(requestRun("r1"));
        totals.set(LimitsDecider.tenantDay(TENANT, T0), 1, 5000, 0);
        ToolCallDenied denied = run.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallDenied.class);
        assertThat(denied.getReasons().get(0).getCode()).isEqualTo(ReasonCode.TENANT_BUDGET_EXHAUSTED);
        assertThat(run.single(requestRun("r2"), RunRejected.class).getReasons().get(0).getRuleId())
                .isEqualTo("limits.tenant.costMicrosPerDay");
    }

    @Test
    void rateLimitsAnAgentsCallsPerMinute() {
        Totals totals = new Totals();
        RunHarness run = new RunHarness(totals.context()).given(requestRun("r1"));
        totals.set(LimitsDecider.agentMinute(AGENT, T0.plusSeconds(1)), 0, 0, 2);
        assertThat(run.when(toolCall("r1", "c1", "search_docs", SEARCH))).singleElement()
                .isInstanceOf(ToolCallApproved.class);
        totals.set(LimitsDecider.agentMinute(AGENT, T0.plusSeconds(1)), 0, 0, 3);
        assertThat(run.single(toolCall("r1", "c2", "search_docs", SEARCH), ToolCallDenied.class).getReasons().get(0)
                .getCode()).isEqualTo(ReasonCode.RATE_LIMITED);
    }

    @Test
    void factsCountRunsCostAndCallsInTheirWindows() {
        RunHarness run = new RunHarness(new Totals().context()).given(requestRun("r1"),
                toolCall("r1", "c1", "search_docs", SEARCH));
        var admitted = LimitsDecider.facts(run.ledger().get(0));
        assertThat(admitted).singleElement().satisfies(f -> {
            assertThat(LimitsDecider.key(f)).isEqualTo(LimitsDecider.tenantDay(TENANT, T0));
            assertThat(f.getRuns()).isEqualTo(1);
        });
        assertThat(LimitsDecider.facts(run.ledger().get(1))).singleElement().satisfies(f -> {
            assertThat(LimitsDecider.key(f)).isEqualTo(LimitsDecider.agentMinute(AGENT, T0.plusSeconds(1)));
            assertThat(f.getToolCalls()).isEqualTo(1);
        });
        LimitUsage sum = LimitsDecider.add(LimitsDecider.add(null, admitted.get(0)), admitted.get(0));
        assertThat(sum.getRuns()).isEqualTo(2);
    }
}

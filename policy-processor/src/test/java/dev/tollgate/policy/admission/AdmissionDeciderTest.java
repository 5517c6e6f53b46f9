package dev.tollgate.policy.admission;

import static dev.tollgate.policy.Fixtures.AGENT;
import static dev.tollgate.policy.Fixtures.TENANT;
import static dev.tollgate.policy.Fixtures.context;
import static dev.tollgate.policy.Fixtures.identity;
import static dev.tollgate.policy.Fixtures.killSwitch;
import static dev.tollgate.policy.Fixtures.requestRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Grants;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunBudget;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.policy.Fixtures;
import dev.tollgate.policy.RunHarness;
import dev.tollgate.policy.run.StaticPolicyContext;
import dev.tollgate.policy.state.RunStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionDeciderTest {

    private static List<ReasonCode> codes(RunRejected rejected) {
        return rejected.getReasons().stream().map(Reason::getCode).toList();
    }

    @Test
    void admitsASupportTriageRunUnderTheDefaultEntry() {
        RunHarness run = new RunHarness(context());
        RunAdmitted admitted = run.single(requestRun("r1"), RunAdmitted.class);

        assertThat(admitted.getRuleId()).isEqualTo("default");
        assertThat(admitted.getGrants()).isEqualTo(Grants.newBuilder().setTools(List.of("search_docs", "read_repo",
                "http.fetch", "tickets.update", "email.send", "echo")).setMaxToolCalls(20).setCostMicros(2_500_000)
                .setTokens(200_000).setRetentionDays(7).build());
        assertThat(admitted.getInputSha256()).isEqualTo(CanonicalJson.sha256("{\"ticket\":7}"));
        assertThat(run.state("r1").getStatus()).isEqualTo(RunStatus.ACTIVE);
        assertThat(run.state("r1").getPrincipalId()).isEqualTo(AGENT);
        assertThat(run.ledger().get(0).getPolicyVersion()).isEqualTo("2026.12.05-1");
        assertThat(run.ledger().get(0).getPolicySha256()).isEqualTo(Fixtures.REFERENCE.sha256());
    }

    @Test
    void rejectsAnUnknownWorkflowByTheDenyEntry() {
        RunRejected rejected = new RunHarness(context())
                .single(requestRun("r1", "coding", "staging", "Internal"), RunRejected.class);
        assertThat(rejected.getReasons()).singleElement().satisfies(r -> {
            assertThat(r.getCode()).isEqualTo(ReasonCode.DENIED_BY_RULE);
            assertThat(r.getRuleId()).isEqualTo("unknown-workflow");
        });
    }

    @Test
    void restrictedDataGetsOnlySearchDocsAndFiveCalls() {
        RunAdmitted admitted = new RunHarness(context())
                .single(requestRun("r1", "research", "production", "Restricted"), RunAdmitted.class);
        assertThat(admitted.getRuleId()).isEqualTo("restricted-data");
        assertThat(admitted.getGrants().getTools()).containsExactly("search_docs");
        assertThat(admitted.getGrants().getMaxToolCalls()).isEqualTo(5);
        assertThat(admitted.getGrants().getRetentionDays()).isEqualTo(90);
    }

    @Test
    void productionRunsGetNoEchoAndTenCalls() {
        RunAdmitted admitted = new RunHarness(context())
                .single(requestRun("r1", "support-triage", "production", "Internal"), RunAdmitted.class);
        assertThat(admitted.getRuleId()).isEqualTo("production");
        assertThat(admitted.getGrants().getTools()).doesNotContain("echo");
        assertThat(admitted.getGrants().getMaxToolCalls()).isEqualTo(10);
    }

    @Test
    void rejectsWithNoMatchingRuleWhenNoEntryMatches() {
        StaticPolicyContext context = context().withBundle(Fixtures.referenceWith(
                "    - id: default\n      when: 'true'", "    - id: default\n      when: 'false'"));
        RunRejected rejected = new RunHarness(context).single(requestRun("r1"), RunRejected.class);
        assertThat(codes(rejected)).containsExactly(ReasonCode.NO_MATCHING_RULE);
    }

    @Test
    void rejectsAnUnknownIdentity() {
        StaticPolicyContext context = new StaticPolicyContext(Fixtures.REFERENCE, Map.of(), Map.of());
        RunRejected rejected = new RunHarness(context).single(requestRun("r1"), RunRejected.class);
        assertThat(codes(rejected)).containsExactly(ReasonCode.IDENTITY_UNKNOWN);
        assertThat(rejected.getReasons().get(0).getRuleId()).isEqualTo("identity");
    }

    @Test
    void rejectsADisabledIdentity() {
        StaticPolicyContext context = new StaticPolicyContext(Fixtures.REFERENCE,
                Map.of(AGENT, identity(AGENT, false)), Map.of());
        assertThat(codes(new RunHarness(context).single(requestRun("r1"), RunRejected.class)))
                .containsExactly(ReasonCode.IDENTITY_DISABLED);
    }

    @Test
    void rejectsUnderAnEngagedGlobalTenantOrAgentKillSwitch() {
        for (Map.Entry<String, KillSwitchScope> entry : Map.of("global", KillSwitchScope.GLOBAL,
                "tenant:" + TENANT, KillSwitchScope.TENANT, "agent:" + AGENT, KillSwitchScope.AGENT).entrySet()) {
            StaticPolicyContext context = new StaticPolicyContext(Fixtures.REFERENCE,
                    Map.of(AGENT, identity(AGENT, true)), Map.of(entry.getKey(),
                    killSwitch(entry.getValue(), entry.getKey(), true)));
            RunRejected rejected = new RunHarness(context).single(requestRun("r1"), RunRejected.class);
            assertThat(rejected.getReasons()).singleElement().satisfies(r -> {
                assertThat(r.getCode()).isEqualTo(ReasonCode.KILL_SWITCH);
                assertThat(r.getRuleId()).isEqualTo("kill-switch:" + entry.getKey());
                assertThat(r.getMessage()).contains("incident 42");
            });
        }
    }

    @Test
    void aLiftedKillSwitchDoesNotReject() {
        StaticPolicyContext context = new StaticPolicyContext(Fixtures.REFERENCE,
                Map.of(AGENT, identity(AGENT, true)), Map.of("global", killSwitch(KillSwitchScope.GLOBAL, "*", false)));
        new RunHarness(context).single(requestRun("r1"), RunAdmitted.class);
    }

    @Test
    void aRunsEntryThatFailsToEvaluateRejectsWithPolicyError() {
        StaticPolicyContext context = context().withBundle(Fixtures.referenceWith(
                "when: 'run.classification == \"Restricted\"'", "when: 'run.input.missing == 1'"));
        RunRejected rejected = new RunHarness(context).single(requestRun("r1"), RunRejected.class);
        assertThat(rejected.getReasons()).singleElement().satisfies(r -> {
            assertThat(r.getCode()).isEqualTo(ReasonCode.POLICY_ERROR);
            assertThat(r.getRuleId()).isEqualTo("restricted-data");
        });
    }

    @Test
    void rejectsWithPolicyErrorWhenNoBundleIsInForce() {
        StaticPolicyContext context = context().withBundle(null);
        assertThat(codes(new RunHarness(context).single(requestRun("r1"), RunRejected.class)))
                .containsExactly(ReasonCode.POLICY_ERROR);
    }

    @Test
    void aRequestedBudgetOnlyNarrowsTheGrants() {
        RunAdmitted narrowed = new RunHarness(context()).single(requestRun("r1", RunBudget.newBuilder()
                .setMaxToolCalls(3).setCostMicros(10_000L).setTokens(null).build()), RunAdmitted.class);
        assertThat(narrowed.getGrants().getMaxToolCalls()).isEqualTo(3);
        assertThat(narrowed.getGrants().getCostMicros()).isEqualTo(10_000);
        assertThat(narrowed.getGrants().getTokens()).isEqualTo(200_000);

        RunAdmitted notWidened = new RunHarness(context()).single(requestRun("r2", RunBudget.newBuilder()
                .setMaxToolCalls(1000).setCostMicros(999_999_999L).setTokens(999_999_999L).build()), RunAdmitted.class);
        assertThat(notWidened.getGrants().getMaxToolCalls()).isEqualTo(20);
        assertThat(notWidened.getGrants().getCostMicros()).isEqualTo(2_500_000);
        assertThat(notWidened.getGrants().getTokens()).isEqualTo(200_000);
    }

    @Test
    void rejectsRunInputThatIsNotJson() {
        var command = requestRun("r1");
        ((dev.tollgate.events.RequestRun) command.getPayload()).setInputJson("{not json");
        assertThat(codes(new RunHarness(context()).single(command, RunRejected.class)))
                .containsExactly(ReasonCode.COMMAND_INVALID);
    }
}

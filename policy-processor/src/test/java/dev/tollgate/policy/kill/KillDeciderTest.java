package dev.tollgate.policy.kill;

import static dev.tollgate.policy.Fixtures.AGENT;
import static dev.tollgate.policy.Fixtures.REFERENCE;
import static dev.tollgate.policy.Fixtures.T0;
import static dev.tollgate.policy.Fixtures.TENANT;
import static dev.tollgate.policy.Fixtures.finish;
import static dev.tollgate.policy.Fixtures.human;
import static dev.tollgate.policy.Fixtures.identity;
import static dev.tollgate.policy.Fixtures.killRun;
import static dev.tollgate.policy.Fixtures.killSwitch;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.toolCall;
import static dev.tollgate.policy.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.policy.RunHarness;
import dev.tollgate.policy.run.StaticPolicyContext;
import dev.tollgate.policy.state.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KillDeciderTest {

    private static final String SEARCH = "{\"q\":\"refund policy\"}";
    private static final Instant ENGAGED_AT = T0.plusSeconds(30);
    private static final Map<String, Identity> IDENTITIES = Map.of(AGENT, identity(AGENT, true),
            "admin", human("admin", "system", true, "admin"), "agent-2", identity("agent-2", true));

    private static StaticPolicyContext with(Map<String, KillSwitch> switches) {
        return new StaticPolicyContext(REFERENCE, IDENTITIES, switches);
    }

    private static KillSwitch engaged(KillSwitchScope scope, String target) {
        return KillSwitch.newBuilder(killSwitch(scope, target, true)).setUpdatedAt(ENGAGED_AT).build();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"global,GLOBAL,*", "tenant:acme,TENANT,acme", "agent:agent-1,AGENT,agent-1", "run:r1,RUN,r1"})
    void anEngagedSwitchHaltsActiveRunsInItsScopeAndRejectsNewOnes(String key, KillSwitchScope scope,
                                                                  String target) {
        RunHarness run = new RunHarness(with(Map.of())).given(requestRun("r1"));
        run.context(with(Map.of(key, engaged(scope, target))));

        List<SpecificRecord> halted = run.timers("r1", ENGAGED_AT.plusMillis(200));
        assertThat(halted).singleElement().isInstanceOfSatisfying(RunHalted.class, h -> {
            assertThat(h.getReasons().get(0).getCode()).isEqualTo(ReasonCode.KILL_SWITCH);
            assertThat(h.getReasons().get(0).getRuleId()).isEqualTo("kill-switch:" + key);
        });
        LedgerEvent event = run.ledger().get(1);
        assertThat(event.getOccurredAt()).as("the switch's time, not the scan's").isEqualTo(ENGAGED_AT);
        assertThat(event.getCausationId()).isNull();
        assertThat(run.state("r1").getStatus()).isEqualTo(RunStatus.HALTED);
        assertThat(run.timers("r1", ENGAGED_AT.plusSeconds(5))).as("halted once").isEmpty();

        ToolCallDenied denied = run.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallDenied.class);
        assertThat(denied.getReasons().get(0).getCode()).isEqualTo(ReasonCode.KILL_SWITCH);
        if (!key.startsWith("run:")) {
            RunRejected rejected = run.single(requestRun("r2"), RunRejected.class);
            assertThat(rejected.getReasons().get(0).getCode()).isEqualTo(ReasonCode.KILL_SWITCH);
        }
    }

    @Test
    void aSwitchOfAnotherScopeLeavesTheRunAlone() {
        RunHarness run = new RunHarness(with(Map.of())).given(requestRun("r1"));
        run.context(with(Map.of("tenant:globex", engaged(KillSwitchScope.TENANT, "globex"),
                "agent:agent-2", engaged(KillSwitchScope.AGENT, "agent-2"),
                "run:r9", engaged(KillSwitchScope.RUN, "r9"),
                "global", KillSwitch.newBuilder(engaged(KillSwitchScope.GLOBAL, "*")).setEngaged(false).build())));
        assertThat(run.timers("r1", ENGAGED_AT.plusSeconds(1))).isEmpty();
        assertThat(run.state("r1").getStatus()).isEqualTo(RunStatus.ACTIVE);
    }

    @Test
    void liftingASwitchLetsNewRunsStartButHaltedRunsStayHalted() {
        RunHarness run = new RunHarness(with(Map.of("tenant:acme", engaged(KillSwitchScope.TENANT, TENANT))))
                .given(requestRun("r0"));
        run.context(with(Map.of()));
        run.given(requestRun("r1"));
        run.context(with(Map.of("tenant:acme", engaged(KillSwitchScope.TENANT, TENANT))));
        run.timers("r1", ENGAGED_AT.plusSeconds(1));
        assertThat(run.state("r0").getStatus()).isEqualTo(RunStatus.REJECTED);
        run.context(with(Map.of("tenant:acme", KillSwitch.newBuilder(engaged(KillSwitchScope.TENANT, TENANT))
                .setEngaged(false).build())));

        assertThat(run.state("r1").getStatus()).isEqualTo(RunStatus.HALTED);
        assertThat(run.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallDenied.class).getReasons().get(0)
                .getCode()).isEqualTo(ReasonCode.KILL_SWITCH);
        run.given(requestRun("r2"));
        assertThat(run.state("r2").getStatus()).isEqualTo(RunStatus.ACTIVE);
    }

    @Test
    void aRunHaltedBeforeTheSwitchIsNeverDatedBeforeItsLastEvent() {
        RunHarness run = new RunHarness(with(Map.of())).given(requestRun("r1"));
        run.when(usage("r1", T0.plusSeconds(100), "small-model", 1, 1));
        run.context(with(Map.of("global", engaged(KillSwitchScope.GLOBAL, "*"))));
        run.timers("r1", T0.plusSeconds(101));
        assertThat(run.ledger().get(2).getOccurredAt()).isEqualTo(T0.plusSeconds(100));
    }

    @Test
    void disablingAnIdentityHaltsItsActiveRunsAndItsCommandsAreRefused() {
        RunHarness run = new RunHarness(with(Map.of())).given(requestRun("r1"));
        Instant disabledAt = T0.plusSeconds(40);
        Identity disabled = Identity.newBuilder(identity(AGENT, false)).setUpdatedAt(disabledAt).build();
        run.context(new StaticPolicyContext(REFERENCE, Map.of(AGENT, disabled), Map.of()));

        assertThat(run.timers("r1", disabledAt.plusMillis(200))).singleElement().isInstanceOfSatisfying(
                RunHalted.class, h -> assertThat(h.getReasons().get(0).getCode())
                        .isEqualTo(ReasonCode.IDENTITY_DISABLED));
        assertThat(run.ledger().get(1).getOccurredAt()).isEqualTo(disabledAt);
        assertThat(run.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallDenied.class).getReasons().get(0)
                .getCode()).isEqualTo(ReasonCode.IDENTITY_DISABLED);
        assertThat(run.single(finish("r1"), CommandRejected.class).getReasons().get(0).getCode())
                .isEqualTo(ReasonCode.IDENTITY_DISABLED);
        assertThat(run.single(requestRun("r2"), RunRejected.class).getReasons().get(0).getCode())
                .isEqualTo(ReasonCode.IDENTITY_DISABLED);
    }

    @Test
    void killRunHaltsOneRunFromItsPrincipalOrAnAdminOnly() {
        RunHarness run = new RunHarness(with(Map.of())).given(requestRun("r1"), requestRun("r2"));
        assertThat(run.single(killRun("r1", "agent-2"), CommandRejected.class).getReasons().get(0).getCode())
                .isEqualTo(ReasonCode.PRINCIPAL_MISMATCH);
        RunHalted halted = run.single(killRun("r1", "admin"), RunHalted.class);
        assertThat(halted.getReasons().get(0).getCode()).isEqualTo(ReasonCode.RUN_KILLED);
        assertThat(halted.getReasons().get(0).getMessage()).contains("runaway");
        assertThat(run.single(killRun("r2", AGENT), RunHalted.class).getReasons().get(0).getCode())
                .isEqualTo(ReasonCode.RUN_KILLED);
        assertThat(run.single(killRun("r2", AGENT), CommandRejected.class).getReasons().get(0).getCode())
                .isEqualTo(ReasonCode.RUN_NOT_ACTIVE);
        assertThat(run.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallDenied.class).getReasons()
                .get(0).getCode()).isEqualTo(ReasonCode.RUN_KILLED);
    }
}

package dev.tollgate.policy.toolcall;

import static dev.tollgate.policy.Fixtures.AGENT;
import static dev.tollgate.policy.Fixtures.T0;
import static dev.tollgate.policy.Fixtures.TENANT;
import static dev.tollgate.policy.Fixtures.command;
import static dev.tollgate.policy.Fixtures.context;
import static dev.tollgate.policy.Fixtures.identity;
import static dev.tollgate.policy.Fixtures.killSwitch;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunBudget;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.ShadowMatch;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.policy.Fixtures;
import dev.tollgate.policy.RunHarness;
import dev.tollgate.policy.run.StaticPolicyContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolCallDeciderTest {

    private static final String SEARCH = "{\"q\":\"refund policy\"}";
    private static final String TICKETS_FEW = "{\"ticket_ids\":[1,2],\"fields\":{\"priority\":\"high\","
            + "\"customer_email\":\"jane@customer.org\"}}";
    private static final String TICKETS_BULK = "{\"ticket_ids\":[1,2,3,4,5,6,7,8,9,10,11],\"fields\":"
            + "{\"priority\":\"low\"}}";

    private static RunHarness admitted(StaticPolicyContext context) {
        return new RunHarness(context).given(requestRun("r1"));
    }

    private static RunHarness admitted() {
        return admitted(context());
    }

    private static Reason onlyReason(ToolCallDenied denied) {
        assertThat(denied.getReasons()).hasSize(1);
        return denied.getReasons().get(0);
    }

    @Test
    void approvesAReadToolAndDispatchesItWithTheIntactArgsAndSchema() {
        RunHarness run = admitted();
        ToolCallApproved approved = run.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallApproved.class);

        assertThat(approved.getMatchedRules()).containsExactly("allow-read-tools");
        assertThat(approved.getShadowRules()).isEmpty();
        assertThat(approved.getReservedCostMicros()).isEqualTo(1000);
        assertThat(approved.getArgsSha256()).isEqualTo(CanonicalJson.sha256(SEARCH));
        ToolCallDispatch dispatch = run.dispatches().get(0);
        assertThat(dispatch.getArgsJson()).isEqualTo(SEARCH);
        assertThat(dispatch.getArgsSchemaJson()).contains("\"required\":[\"q\"]");
        assertThat(dispatch.getLedgerSeq()).isEqualTo(2);
        assertThat(dispatch.getCostMicros()).isEqualTo(1000);
        assertThat(dispatch.getApprovedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(run.state("r1").getToolCalls()).isEqualTo(1);
        assertThat(run.state("r1").getReservedCostMicros()).isEqualTo(1000);
    }

    @Test
    void copiesTheBundlesPinOfAToolIntoItsDispatch() {
        String pin = "0123456789abcdef".repeat(4);
        StaticPolicyContext pinned = new StaticPolicyContext(Fixtures.referenceWith("""
                    search_docs:
                """, """
                    search_docs:
                      pin: "%s"
                """.formatted(pin)), Map.of(AGENT, identity(AGENT, true)), Map.of());
        RunHarness run = admitted(pinned);
        run.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallApproved.class);
        assertThat(run.dispatches().get(0).getPin()).isEqualTo(pin);

        RunHarness unpinned = admitted();
        unpinned.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallApproved.class);
        assertThat(unpinned.dispatches().get(0).getPin()).isNull();
    }

    @Test
    void deniesAToolTheBundleDoesNotDeclare() {
        ToolCallDenied denied = admitted().single(toolCall("r1", "c1", "shell.exec", "{}"), ToolCallDenied.class);
        assertThat(onlyReason(denied).getCode()).isEqualTo(ReasonCode.TOOL_UNKNOWN);
        assertThat(denied.getArgsJson()).isNull();
    }

    @Test
    void deniesADeclaredToolTheRunWasNotGranted() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1", "research", "production", "Restricted"));
        ToolCallDenied denied = run.single(toolCall("r1", "c1", "read_repo", "{\"path\":\"README.md\"}"),
                ToolCallDenied.class);
        assertThat(onlyReason(denied).getCode()).isEqualTo(ReasonCode.TOOL_NOT_ALLOWED);
        assertThat(onlyReason(denied).getSuggest()).containsExactly("search_docs");
    }

    @Test
    void deniesArgumentsThatFailTheSchemaWithTheValidatorsMessage() {
        ToolCallDenied missing = admitted().single(toolCall("r1", "c1", "search_docs", "{}"), ToolCallDenied.class);
        assertThat(onlyReason(missing).getCode()).isEqualTo(ReasonCode.ARGS_INVALID);
        assertThat(onlyReason(missing).getMessage()).contains("required property 'q'");
    }

    @Test
    void deniesUnknownArgumentFields() {
        ToolCallDenied denied = admitted().single(toolCall("r1", "c1", "search_docs",
                "{\"q\":\"x\",\"limit\":5}"), ToolCallDenied.class);
        assertThat(onlyReason(denied).getCode()).isEqualTo(ReasonCode.ARGS_INVALID);
        assertThat(onlyReason(denied).getMessage()).contains("limit");
    }

    @Test
    void deniesArgumentsThatAreNotJson() {
        ToolCallDenied denied = admitted().single(toolCall("r1", "c1", "search_docs", "{q:"), ToolCallDenied.class);
        assertThat(onlyReason(denied).getCode()).isEqualTo(ReasonCode.ARGS_INVALID);
    }

    @Test
    void deniesOnceTheRunsToolCallCapIsReached() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1", RunBudget.newBuilder().setMaxToolCalls(2)
                .build()), toolCall("r1", "c1", "search_docs", SEARCH), toolCall("r1", "c2", "search_docs", SEARCH));
        ToolCallDenied denied = run.single(toolCall("r1", "c3", "search_docs", SEARCH), ToolCallDenied.class);
        assertThat(onlyReason(denied).getCode()).isEqualTo(ReasonCode.BUDGET_EXHAUSTED);
        assertThat(onlyReason(denied).getRuleId()).isEqualTo("grants.maxToolCalls");
    }

    @Test
    void deniesWhenTheReservedCostWouldExceedTheBudget() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1", RunBudget.newBuilder()
                .setCostMicros(1500L).build()), toolCall("r1", "c1", "search_docs", SEARCH));
        ToolCallDenied denied = run.single(toolCall("r1", "c2", "search_docs", SEARCH), ToolCallDenied.class);
        assertThat(onlyReason(denied).getCode()).isEqualTo(ReasonCode.BUDGET_EXHAUSTED);
        assertThat(onlyReason(denied).getRuleId()).isEqualTo("grants.budget.costMicros");
        // A free tool still fits.
        run.single(toolCall("r1", "c3", "echo", "{}"), ToolCallApproved.class);
    }

    @Test
    void externalEmailIsDeniedEvenThoughAnAllowRuleAlsoMatches() {
        ToolCallDenied denied = admitted().single(toolCall("r1", "c1", "email.send",
                "{\"to\":[\"ops@example.com\",\"x@evil.org\"],\"subject\":\"hi\"}"), ToolCallDenied.class);
        assertThat(onlyReason(denied).getCode()).isEqualTo(ReasonCode.DENIED_BY_RULE);
        assertThat(onlyReason(denied).getRuleId()).isEqualTo("external-email");
        assertThat(denied.getMatchedRules()).containsExactly("external-email", "allow-internal-email");
    }

    @Test
    void anAddressThatOnlyEndsInTheInternalDomainIsStillExternal() {
        // Reference bundle 2026.12.05-1: whole addresses are matched, and `to` items must be e-mail addresses.
        for (String to : new String[] {"x@evil.test, a@example.com", "x@evil.test\u0000@example.com"}) {
            ToolCallDenied denied = admitted().single(toolCall("r1", "c1", "email.send",
                    "{\"to\":[\"" + to + "\"],\"subject\":\"hi\"}"), ToolCallDenied.class);
            assertThat(denied.getReasons()).extracting(r -> r.getCode())
                    .containsAnyOf(ReasonCode.ARGS_INVALID, ReasonCode.DENIED_BY_RULE);
        }
    }

    @Test
    void internalEmailIsApproved() {
        admitted().single(toolCall("r1", "c1", "email.send", "{\"to\":[\"ops@example.com\"],\"subject\":\"hi\"}"),
                ToolCallApproved.class);
    }

    @Test
    void aDenyRuleCarriesItsMessageAndSuggestions() {
        StaticPolicyContext context = context().withBundle(Fixtures.referenceWith("""
                    - id: external-email
                      effect: deny
                """, """
                    - id: external-email
                      effect: deny
                      message: "external recipients need a ticket reply instead"
                      suggest: ["tickets.update"]
                """));
        ToolCallDenied denied = admitted(context).single(toolCall("r1", "c1", "email.send",
                "{\"to\":[\"x@evil.org\"],\"subject\":\"hi\"}"), ToolCallDenied.class);
        assertThat(onlyReason(denied).getMessage()).isEqualTo("external recipients need a ticket reply instead");
        assertThat(onlyReason(denied).getSuggest()).containsExactly("tickets.update");
    }

    @Test
    void bulkTicketUpdatesAreHeldForASupportLeadForThirtyMinutes() {
        RunHarness run = admitted();
        var call = toolCall("r1", "c1", "tickets.update", TICKETS_BULK);
        ToolCallHeld held = run.single(call, ToolCallHeld.class);

        assertThat(held.getApproverRoles()).containsExactly("support-lead");
        assertThat(held.getExpiresAt()).isEqualTo(call.getIssuedAt().plus(Duration.ofMinutes(30)));
        assertThat(held.getMatchedRules()).containsExactly("bulk-ticket-update-needs-approval", "allow-ticket-updates");
        assertThat(held.getReservedCostMicros()).isEqualTo(5000);
        assertThat(run.dispatches()).isEmpty();
        assertThat(run.state("r1").getCalls().get("c1").getArgsJson()).isEqualTo(TICKETS_BULK);
        assertThat(run.state("r1").getReservedCostMicros()).isEqualTo(5000);
    }

    @Test
    void smallTicketUpdatesAreApprovedWithTheCustomerEmailRedactedInTheLedgerOnly() {
        RunHarness run = admitted();
        ToolCallApproved approved = run.single(toolCall("r1", "c1", "tickets.update", TICKETS_FEW),
                ToolCallApproved.class);

        assertThat(approved.getMatchedRules()).containsExactly("allow-ticket-updates");
        assertThat(approved.getRedacted()).containsExactly("/fields/customer_email");
        assertThat(approved.getArgsJson()).contains("***REDACTED***").doesNotContain("jane@customer.org");
        assertThat(approved.getArgsSha256()).isEqualTo(CanonicalJson.sha256(TICKETS_FEW));
        assertThat(run.dispatches().get(0).getArgsJson()).isEqualTo(TICKETS_FEW);
    }

    @Test
    void theLongQueriesShadowRuleIsRecordedButNotEnforced() {
        ToolCallApproved approved = admitted().single(toolCall("r1", "c1", "search_docs",
                "{\"q\":\"" + "x".repeat(250) + "\"}"), ToolCallApproved.class);
        assertThat(approved.getShadowRules()).containsExactly(ShadowMatch.newBuilder().setRuleId("long-queries")
                .setEffect("deny").build());
        assertThat(approved.getMatchedRules()).containsExactly("allow-read-tools");
    }

    @Test
    void aCallNoRuleAllowsIsDeniedWithNoMatchingRule() {
        StaticPolicyContext context = context().withBundle(Fixtures.referenceWith(
                "      when: 'tool.risk == \"read\"'", "      when: 'tool.risk == \"none\"'"));
        ToolCallDenied denied = admitted(context).single(toolCall("r1", "c1", "search_docs", SEARCH),
                ToolCallDenied.class);
        assertThat(onlyReason(denied).getCode()).isEqualTo(ReasonCode.NO_MATCHING_RULE);
        assertThat(denied.getArgsJson()).isEqualTo(SEARCH.replace(" ", " "));
    }

    @Test
    void aRuleThatFailsToEvaluateDeniesWithPolicyError() {
        StaticPolicyContext context = context().withBundle(Fixtures.referenceWith(
                "      when: 'tool.risk == \"read\"'", "      when: 'args.nope == 1'"));
        ToolCallDenied denied = admitted(context).single(toolCall("r1", "c1", "search_docs", SEARCH),
                ToolCallDenied.class);
        assertThat(onlyReason(denied).getCode()).isEqualTo(ReasonCode.POLICY_ERROR);
        assertThat(onlyReason(denied).getRuleId()).isEqualTo("allow-read-tools");
    }

    @Test
    void aShadowRuleThatFailsToEvaluateIsRecordedNotEnforced() {
        StaticPolicyContext context = context().withBundle(Fixtures.referenceWith(
                "      when: 'size(args.q) > 200'", "      when: 'args.nope > 200'"));
        ToolCallApproved approved = admitted(context).single(toolCall("r1", "c1", "search_docs", SEARCH),
                ToolCallApproved.class);
        assertThat(approved.getShadowRules()).extracting(ShadowMatch::getEffect).containsExactly("policy_error");
    }

    @Test
    void aCallForAnotherPrincipalsRunIsDenied() {
        RunHarness run = admitted();
        var call = command("r1", "agent-2", T0, RequestToolCall.newBuilder().setCallId("c1").setTool("search_docs")
                .setArgsJson(SEARCH).build());
        assertThat(onlyReason(run.single(call, ToolCallDenied.class)).getCode())
                .isEqualTo(ReasonCode.PRINCIPAL_MISMATCH);
    }

    @Test
    void aCallOfAnIdentityDisabledSinceAdmissionHaltsTheRunAndIsDenied() {
        RunHarness run = admitted();
        run.context(new StaticPolicyContext(Fixtures.REFERENCE, Map.of(AGENT, identity(AGENT, false)), Map.of()));
        List<?> events = run.when(toolCall("r1", "c1", "search_docs", SEARCH));
        assertThat(events).hasSize(2);
        assertThat(((RunHalted) events.get(0)).getReasons().get(0).getCode()).isEqualTo(ReasonCode.IDENTITY_DISABLED);
        assertThat(onlyReason((ToolCallDenied) events.get(1)).getCode()).isEqualTo(ReasonCode.IDENTITY_DISABLED);
        run.context(new StaticPolicyContext(Fixtures.REFERENCE, Map.of(AGENT, identity(AGENT, true)), Map.of()));
        assertThat(onlyReason(run.single(toolCall("r1", "c2", "search_docs", SEARCH), ToolCallDenied.class))
                .getCode()).as("re-enabling the identity does not revive the halted run")
                .isEqualTo(ReasonCode.IDENTITY_DISABLED);
    }

    @Test
    void aCallOfAnIdentityThatNoLongerExistsIsDenied() {
        RunHarness run = admitted();
        run.context(new StaticPolicyContext(Fixtures.REFERENCE, Map.of(), Map.of()));
        assertThat(onlyReason(run.single(toolCall("r1", "c2", "search_docs", SEARCH), ToolCallDenied.class))
                .getCode()).isEqualTo(ReasonCode.IDENTITY_UNKNOWN);
    }

    @Test
    void aCallUnderAnEngagedKillSwitchHaltsTheRunAndIsDeniedWithKillSwitch() {
        RunHarness run = admitted();
        run.context(new StaticPolicyContext(Fixtures.REFERENCE, Map.of(AGENT, identity(AGENT, true)),
                Map.of("run:r1", killSwitch(KillSwitchScope.RUN, "r1", true))));
        List<?> events = run.when(toolCall("r1", "c1", "search_docs", SEARCH));
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(RunHalted.class);
        assertThat(onlyReason((ToolCallDenied) events.get(1)).getCode()).isEqualTo(ReasonCode.KILL_SWITCH);
    }

    @Test
    void aCallInARejectedRunIsDeniedAsNotActive() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1", "coding", "staging", "Internal"));
        assertThat(onlyReason(run.single(toolCall("r1", "c1", "search_docs", SEARCH), ToolCallDenied.class))
                .getCode()).isEqualTo(ReasonCode.RUN_NOT_ACTIVE);
    }

    @Test
    void aReusedCallIdIsRejected() {
        RunHarness run = admitted().given(toolCall("r1", "c1", "search_docs", SEARCH));
        CommandRejected rejected = run.single(toolCall("r1", "c1", "search_docs", SEARCH), CommandRejected.class);
        assertThat(rejected.getReasons()).extracting(Reason::getCode).containsExactly(ReasonCode.COMMAND_INVALID);
        assertThat(run.dispatches()).hasSize(1);
    }

    @Test
    void decisionsRecordTheBundleThatMadeThem() {
        RunHarness run = admitted();
        run.when(toolCall("r1", "c1", "search_docs", SEARCH));
        assertThat(run.ledger()).allSatisfy(e -> {
            assertThat(e.getPolicyName()).isEqualTo("default");
            assertThat(e.getPolicyVersion()).isEqualTo("2026.12.05-1");
            assertThat(e.getPolicySha256()).isEqualTo(Fixtures.REFERENCE.sha256());
            assertThat(e.getTenantId()).isEqualTo(TENANT);
        });
        assertThat(run.ledger()).extracting(e -> e.getPayload().getClass().getSimpleName())
                .isEqualTo(List.of("RunAdmitted", "ToolCallApproved"));
    }
}

package dev.tollgate.policy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evaluation of the reference bundle's conditions, as its comments describe them. */
class CompiledBundleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CompiledBundle REFERENCE = DefaultBundle.compiled();
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private static PolicyInput.Principal agent(String... roles) {
        return new PolicyInput.Principal("agent-1", "agent", "acme", List.of(roles));
    }

    private static PolicyInput.Run run(String workflow, String environment, String classification) {
        return new PolicyInput.Run("run-1", workflow, environment, classification, "", 0, 0, 0, Map.of());
    }

    private static PolicyInput call(CompiledBundle bundle, String tool, String argsJson) throws Exception {
        return new PolicyInput(agent(), run("support-triage", "staging", "Internal"),
                new PolicyInput.Tool(tool, bundle.tool(tool).map(ToolSpec::risk).orElse("read")),
                CelValues.fromJson(JSON.readTree(argsJson)), NOW);
    }

    private static String admittedBy(String workflow, String environment, String classification) {
        CompiledBundle.Admission admission = REFERENCE.admit(new PolicyInput(agent(),
                run(workflow, environment, classification), null, null, NOW));
        return admission.rule() == null ? null : admission.rule().id();
    }

    private static List<String> matched(List<CompiledBundle.RuleOutcome> outcomes) {
        return outcomes.stream().filter(o -> o.match() == CompiledBundle.Match.MATCHED).map(o -> o.rule().id())
                .toList();
    }

    @Test
    void runAdmissionIsFirstMatchInOrder() {
        assertThat(admittedBy("coding", "staging", "Internal")).isEqualTo("unknown-workflow");
        assertThat(admittedBy("research", "production", "Restricted")).isEqualTo("restricted-data");
        assertThat(admittedBy("support-triage", "production", "Internal")).isEqualTo("production");
        assertThat(admittedBy("research", "staging", "Internal")).isEqualTo("default");
    }

    @Test
    void noMatchingRunsEntryIsNeitherAMatchNorAnError() throws Exception {
        CompiledBundle bundle = PolicyCompiler.compile(DefaultBundle.yaml().replace("when: 'true'\n      grants:\n"
                + "        tools: [\"search_docs\", \"read_repo\", \"http.fetch\", \"tickets.update\", \"email.send\", "
                + "\"echo\"]", "when: 'false'\n      grants:\n        tools: [\"search_docs\"]"));
        CompiledBundle.Admission admission = bundle.admit(new PolicyInput(agent(), run("research", "dev", "Public"),
                null, null, NOW));
        assertThat(admission.rule()).isNull();
        assertThat(admission.matched()).isFalse();
        assertThat(admission.failed()).isFalse();
    }

    @Test
    void readToolsMatchTheReadRuleAndOnlyRulesForTheirTool() throws Exception {
        List<CompiledBundle.RuleOutcome> outcomes = REFERENCE.evaluateRules(call(REFERENCE, "search_docs",
                "{\"q\":\"refund policy\"}"));
        assertThat(outcomes).extracting(o -> o.rule().id()).containsExactly("allow-read-tools", "long-queries");
        assertThat(matched(outcomes)).containsExactly("allow-read-tools");
    }

    @Test
    void shadowRuleMatchesLongQueries() throws Exception {
        List<CompiledBundle.RuleOutcome> outcomes = REFERENCE.evaluateRules(call(REFERENCE, "search_docs",
                "{\"q\":\"" + "x".repeat(201) + "\"}"));
        assertThat(matched(outcomes)).containsExactly("allow-read-tools", "long-queries");
    }

    @Test
    void bulkTicketUpdatesMatchTheApprovalRuleFromElevenIds() throws Exception {
        String eleven = "{\"ticket_ids\":[1,2,3,4,5,6,7,8,9,10,11],\"fields\":{\"priority\":\"high\"}}";
        String ten = "{\"ticket_ids\":[1,2,3,4,5,6,7,8,9,10],\"fields\":{\"priority\":\"high\"}}";
        assertThat(matched(REFERENCE.evaluateRules(call(REFERENCE, "tickets.update", eleven))))
                .containsExactly("bulk-ticket-update-needs-approval", "allow-ticket-updates");
        assertThat(matched(REFERENCE.evaluateRules(call(REFERENCE, "tickets.update", ten))))
                .containsExactly("allow-ticket-updates");
    }

    @Test
    void externalEmailMatchesTheDenyRule() throws Exception {
        assertThat(matched(REFERENCE.evaluateRules(call(REFERENCE, "email.send",
                "{\"to\":[\"a@example.com\",\"b@elsewhere.org\"],\"subject\":\"hi\"}"))))
                .containsExactly("external-email", "allow-internal-email");
        assertThat(matched(REFERENCE.evaluateRules(call(REFERENCE, "email.send",
                "{\"to\":[\"a@example.com\"],\"subject\":\"hi\"}"))))
                .containsExactly("allow-internal-email");
    }

    @Test
    void aConditionThatCannotBeEvaluatedIsAnError() throws Exception {
        List<CompiledBundle.RuleOutcome> outcomes = REFERENCE.evaluateRules(call(REFERENCE, "email.send",
                "{\"subject\":\"no recipients\"}"));
        CompiledBundle.RuleOutcome external = outcomes.stream().filter(o -> o.rule().id().equals("external-email"))
                .findFirst().orElseThrow();
        assertThat(external.match()).isEqualTo(CompiledBundle.Match.ERROR);
        assertThat(external.error()).contains("'to'");
    }

    @Test
    void bundleVariablesAreUsableInConditionsAndSeeThePrincipal() throws Exception {
        CompiledBundle bundle = PolicyCompiler.compile(DefaultBundle.yaml().replace(
                "      when: 'size(args.ticket_ids) > 10'", "      when: 'size(args.ticket_ids) > 10 && !isSupportLead'"));
        String eleven = "{\"ticket_ids\":[1,2,3,4,5,6,7,8,9,10,11],\"fields\":{}}";
        PolicyInput asAgent = call(bundle, "tickets.update", eleven);
        PolicyInput asLead = new PolicyInput(agent("support-lead"), asAgent.run(), asAgent.tool(), asAgent.args(),
                NOW);
        assertThat(matched(bundle.evaluateRules(asAgent))).contains("bulk-ticket-update-needs-approval");
        assertThat(matched(bundle.evaluateRules(asLead))).doesNotContain("bulk-ticket-update-needs-approval");
    }

    @Test
    void nowIsTheCommandTimeAndJsonIntegersAreCelInts() throws Exception {
        CompiledBundle bundle = PolicyCompiler.compile(DefaultBundle.yaml().replace(
                "      when: 'size(args.q) > 200'",
                "      when: 'now > timestamp(\"2026-01-01T00:00:00Z\") && run.toolCalls == 0 && args.n == 3'")
                .replace("q: {type: string, minLength: 1, maxLength: 500}", "q: {type: string}\n          n: {}"));
        assertThat(matched(bundle.evaluateRules(call(bundle, "search_docs", "{\"q\":\"a\",\"n\":3}"))))
                .contains("long-queries");
        PolicyInput before = new PolicyInput(agent(), run("research", "dev", "Public"),
                new PolicyInput.Tool("search_docs", "read"), CelValues.fromJson(JSON.readTree("{\"n\":3}")),
                Instant.parse("2025-06-01T00:00:00Z"));
        assertThat(matched(bundle.evaluateRules(before))).doesNotContain("long-queries");
    }

    @Test
    void argsSchemasRejectUnknownFieldsAndCheckFormats() throws Exception {
        ToolSpec fetch = REFERENCE.tool("http.fetch").orElseThrow();
        assertThat(fetch.validateArgs(JSON.readTree("{\"url\":\"https://api.example.com/v1/x\"}"))).isEmpty();
        assertThat(fetch.validateArgs(JSON.readTree("{\"url\":\"https://x\",\"method\":\"POST\"}")))
                .singleElement().asString().contains("method");
        assertThat(fetch.validateArgs(JSON.readTree("{\"url\":\"not a uri\"}"))).isNotEmpty();
        ToolSpec echo = REFERENCE.tool("echo").orElseThrow();
        assertThat(echo.validateArgs(JSON.readTree("{\"anything\":[1,2]}"))).isEmpty();
        assertThat(echo.validateArgs(JSON.readTree("[1]"))).isNotEmpty();
        assertThat(REFERENCE.tool("tickets.update").orElseThrow().argsSchemaJson())
                .contains("\"additionalProperties\":false");
    }

    @Test
    void objectsWithPropertiesAreClosedEvenWhenTheSchemaForgetsTo() throws Exception {
        CompiledBundle bundle = PolicyCompiler.compile(DefaultBundle.yaml().replace("""
                  args:
                    type: object
                    additionalProperties: false
                    required: [path]""", """
                  args:
                    type: object
                    required: [path]"""));
        assertThat(bundle.tool("read_repo").orElseThrow().validateArgs(JSON.readTree(
                "{\"path\":\"a\",\"extra\":1}"))).isNotEmpty();
    }

    @Test
    void warmUpEvaluatesEveryConditionWithoutThrowing() {
        REFERENCE.warmUp();
    }
}

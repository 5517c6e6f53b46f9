package dev.tollgate.policy.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunBudget;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.Outcome;
import dev.tollgate.policy.decide.RunDecider;
import dev.tollgate.policy.decide.RunLedger;
import dev.tollgate.policy.run.StaticPolicyContext;
import dev.tollgate.policy.state.RunState;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Table tests of a bundle ({@code tollgate policy test FILE CASES}), decided by the same deciders as the
 * processor. The CASES file is YAML:
 * <pre>
 * cases:
 *   - name: external email is denied
 *     principal: {id: agent-1, tenant: acme, kind: agent, roles: []}     # optional; these are the defaults
 *     run: {workflow: support-triage, environment: staging, classification: Internal, input: {}}
 *     call: {tool: email.send, args: {to: [x@evil.org], subject: hi}}     # omit to test admission only
 *     now: "2026-11-22T10:00:00Z"                                         # optional
 *     expect: {decision: denied, code: DENIED_BY_RULE, rule: external-email}
 * </pre>
 * {@code decision} is one of admitted, rejected, approved, denied, held; {@code code} and {@code rule} are
 * optional and must appear among the decision's reason codes and rule ids.
 */
public final class PolicyCases {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The result of one case.
     *
     * @param name     the case's name
     * @param actual   what the bundle decided
     * @param passed   whether it is what was expected
     * @param expected the expectation, as written
     */
    public record Result(String name, Outcome actual, boolean passed, String expected) {
    }

    private PolicyCases() {
    }

    public static List<Result> run(CompiledBundle bundle, String casesYaml) throws IOException {
        JsonNode root = YAML.readTree(casesYaml);
        JsonNode cases = root == null ? null : root.path("cases");
        if (cases == null || !cases.isArray()) {
            throw new IOException("a CASES file has a top-level 'cases' list");
        }
        List<Result> results = new ArrayList<>();
        int index = 0;
        for (JsonNode test : cases) {
            index++;
            String name = test.path("name").asText("case " + index);
            Outcome actual = decide(bundle, test, index);
            JsonNode expect = test.path("expect");
            String decision = expect.path("decision").asText("").toLowerCase(Locale.ROOT);
            String code = expect.path("code").asText(null);
            String rule = expect.path("rule").asText(null);
            boolean passed = decision.equals(actual.decision())
                    && (code == null || actual.codes().contains(code))
                    && (rule == null || actual.rules().contains(rule));
            results.add(new Result(name, actual, passed, decision + (code == null ? "" : " " + code)
                    + (rule == null ? "" : " rule=" + rule)));
        }
        return results;
    }

    private static Outcome decide(CompiledBundle bundle, JsonNode test, int index) throws IOException {
        JsonNode principal = test.path("principal");
        String principalId = principal.path("id").asText("agent-1");
        String tenant = principal.path("tenant").asText("acme");
        List<String> roles = new ArrayList<>();
        principal.path("roles").forEach(r -> roles.add(r.asText()));
        Instant now = Instant.parse(test.path("now").asText("2026-01-01T00:00:00Z"));
        Identity identity = Identity.newBuilder().setPrincipalId(principalId).setName(principalId)
                .setKind(PrincipalKind.valueOf(principal.path("kind").asText("agent").toUpperCase(Locale.ROOT)))
                .setTenantId(tenant).setRoles(roles).setApiKeySha256("").setEnabled(principal.path("enabled")
                        .asBoolean(true)).setCreatedAt(now).setUpdatedAt(now).build();
        StaticPolicyContext context = new StaticPolicyContext(bundle, Map.of(principalId, identity), Map.of());
        JsonNode run = test.path("run");
        JsonNode budget = run.path("budget");
        RequestRun request = RequestRun.newBuilder()
                .setWorkflow(run.path("workflow").asText("support-triage"))
                .setEnvironment(run.path("environment").asText("staging"))
                .setClassification(run.path("classification").asText("Internal"))
                .setInputJson(run.has("input") ? JSON.writeValueAsString(run.get("input")) : "{}")
                .setBudget(budget.isMissingNode() ? null : RunBudget.newBuilder()
                        .setMaxToolCalls(budget.has("maxToolCalls") ? budget.get("maxToolCalls").asInt() : null)
                        .setCostMicros(budget.has("costMicros") ? budget.get("costMicros").asLong() : null)
                        .setTokens(budget.has("tokens") ? budget.get("tokens").asLong() : null).build())
                .build();
        String runId = "case-" + index;
        Command admit = command(runId, principalId, tenant, now, "admit", request);
        Decision admission = RunDecider.decide(null, admit, context);
        RunLedger.Appended admitted = RunLedger.append(null, runId, RunLedger.Envelope.of(admit), admission);
        Outcome outcome = Outcome.of(admission.events().get(0).payload());
        JsonNode call = test.path("call");
        if (call.isMissingNode() || call.isNull()) {
            return outcome;
        }
        RunState state = admitted.state();
        RequestToolCall toolCall = RequestToolCall.newBuilder().setCallId("call-" + index)
                .setTool(call.path("tool").asText())
                .setArgsJson(call.has("args") ? JSON.writeValueAsString(call.get("args")) : "{}").build();
        Decision decision = RunDecider.decide(state, command(runId, principalId, tenant, now, "call", toolCall),
                context);
        return Outcome.of(decision.events().get(0).payload());
    }

    private static Command command(String runId, String principalId, String tenant, Instant now, String id,
                                   Object payload) {
        return Command.newBuilder().setCommandId(runId + "-" + id).setRunId(runId).setTenantId(tenant)
                .setPrincipalId(principalId).setIssuedAt(now).setPayload(payload).build();
    }
}

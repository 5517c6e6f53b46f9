package dev.tollgate.policy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.events.hash.Sha256;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyCompilerTest {

    private static final String MINIMAL = """
            apiVersion: tollgate.dev/v1
            kind: PolicyBundle
            metadata: {name: minimal, version: "1"}
            spec:
              tools:
                search_docs: {risk: read, costMicros: 10, args: {type: object}}
              runs:
                - id: all
                  when: 'true'
                  grants: {tools: [search_docs], maxToolCalls: 3, budget: {costMicros: 100}}
            """;

    @Test
    void compilesTheReferenceBundle() throws Exception {
        String yaml = DefaultBundle.yaml();
        CompiledBundle bundle = PolicyCompiler.compile(yaml);

        assertThat(bundle.name()).isEqualTo("default");
        assertThat(bundle.version()).isEqualTo("2026.12.05-1");
        assertThat(bundle.sha256()).isEqualTo(Sha256.hex(yaml));
        assertThat(bundle.runs()).extracting(RunRule::id)
                .containsExactly("unknown-workflow", "restricted-data", "production", "default");
        assertThat(bundle.runs().get(0).deny()).isTrue();
        assertThat(bundle.runs().get(1).grants()).isEqualTo(new RunGrants(List.of("search_docs"), 5, 500_000, 20_000,
                90));
        assertThat(bundle.tools()).containsOnlyKeys("search_docs", "read_repo", "http.fetch", "tickets.update",
                "email.send", "echo");
        assertThat(bundle.tool("tickets.update").orElseThrow().costMicros()).isEqualTo(5000);
        assertThat(bundle.tools().values()).allSatisfy(tool -> assertThat(tool.description()).isNotBlank());
        assertThat(bundle.rules()).extracting(ToolRule::id).containsExactly("allow-read-tools",
                "bulk-ticket-update-needs-approval", "allow-ticket-updates", "external-email", "allow-internal-email",
                "long-queries");
        ToolRule bulk = bundle.rules().get(1);
        assertThat(bulk.effect()).isEqualTo(RuleEffect.REQUIRE_APPROVAL);
        assertThat(bulk.approval()).isEqualTo(new Approval(List.of("support-lead"), Duration.ofMinutes(30)));
        assertThat(bundle.rules().get(2).redact()).containsExactly("/fields/customer_email");
        assertThat(bundle.rules().get(5).shadow()).isTrue();
        assertThat(bundle.models()).containsOnlyKeys("small-model", "large-model");
        assertThat(bundle.models().get("large-model").costMicros(1000, 1000)).isEqualTo(18_000);
        assertThat(bundle.gates()).extracting(GateSpec::id)
                .containsExactly("report-complete", "report-no-pii", "report-size");
        assertThat(bundle.limits()).isEqualTo(new Limits(1000, 50_000_000, 600));
        assertThat(bundle.variableNames()).containsExactly("isSupportLead");
    }

    @Test
    void readsAToolsOptionalDescription() throws Exception {
        CompiledBundle without = PolicyCompiler.compile(MINIMAL);
        CompiledBundle with = PolicyCompiler.compile(MINIMAL.replace("{risk: read,",
                "{description: \"Searches the docs.\", risk: read,"));

        assertThat(without.tool("search_docs").orElseThrow().description()).isEmpty();
        assertThat(with.tool("search_docs").orElseThrow().description()).isEqualTo("Searches the docs.");
    }

    @Test
    void refusesADescriptionThatIsNotAString() {
        PolicyCompileException refused = catchThrowableOfType(PolicyCompileException.class, () ->
                PolicyCompiler.compile(MINIMAL.replace("{risk: read,", "{description: [a, b], risk: read,")));

        assertThat(refused.problems()).extracting(PolicyProblem::message)
                .contains("tool search_docs: description must be a string");
    }

    @Test
    void reportsEveryProblemWithItsLineAndRuleId() {
        String yaml = """
                apiVersion: tollgate.dev/v1
                kind: PolicyBundle
                metadata: {name: broken, version: "1"}
                spec:
                  variables:
                    lead: 'principal.roles.exists(r, r == "lead")'
                  tools:
                    search_docs: {risk: read, costMicros: 10, args: {type: object}}
                  runs:
                    - id: typo-field
                      when: 'principal.rolez.size() > 0'
                      grants: {tools: [search_docs], maxToolCalls: 3, budget: {costMicros: 100}}
                    - id: not-bool
                      when: '"yes"'
                      grants: {tools: [search_docs, nope], maxToolCalls: 3, budget: {costMicros: 100}}
                    - id: uses-tool
                      effect: deny
                      when: 'tool.risk == "read"'
                  rules:
                    - id: r1
                      effect: allow
                      wehn: 'true'
                    - id: r1
                      effect: maybe
                      when: 'lead && args.x +'
                """;
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class,
                () -> PolicyCompiler.compile(yaml));

        assertThat(e.problems()).extracting(PolicyProblem::line, PolicyProblem::ruleId).contains(
                org.assertj.core.groups.Tuple.tuple(11, "typo-field"),
                org.assertj.core.groups.Tuple.tuple(14, "not-bool"),
                org.assertj.core.groups.Tuple.tuple(15, "not-bool"),
                org.assertj.core.groups.Tuple.tuple(18, "uses-tool"),
                org.assertj.core.groups.Tuple.tuple(22, "r1"),
                org.assertj.core.groups.Tuple.tuple(23, "r1"),
                org.assertj.core.groups.Tuple.tuple(24, "r1"),
                org.assertj.core.groups.Tuple.tuple(25, "r1"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p.message()).contains("undefined field 'rolez'"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p.message()).contains("expected type 'bool'"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p.message()).contains("tool 'nope' is not declared"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p.message()).contains("undeclared reference to 'tool'"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p.message()).contains("unknown key 'wehn'"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p.message()).contains("duplicate rule id 'r1'"));
        assertThat(e.problems()).extracting(PolicyProblem::line).isSorted();
        assertThat(e.getMessage()).contains("line 11 [typo-field]");
    }

    @Test
    void reportsYamlSyntaxErrorsWithTheirLine() {
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class,
                () -> PolicyCompiler.compile("apiVersion: tollgate.dev/v1\nkind: [PolicyBundle\nmetadata: {}\n"));
        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().get(0).line()).isGreaterThanOrEqualTo(2);
        assertThat(e.problems().get(0).message()).startsWith("YAML syntax");
    }

    @Test
    void refusesAnEmptyBundleAndAMissingSpec() {
        assertThatThrownBy(() -> PolicyCompiler.compile("")).isInstanceOf(PolicyCompileException.class);
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class, () -> PolicyCompiler.compile(
                "apiVersion: tollgate.dev/v2\nkind: PolicyBundle\nmetadata: {name: Bad Name}\n"));
        assertThat(e.problems()).extracting(PolicyProblem::message).anySatisfy(m -> assertThat(m)
                .contains("apiVersion must be 'tollgate.dev/v1'")).anySatisfy(m -> assertThat(m)
                .contains("metadata.name 'Bad Name'")).anySatisfy(m -> assertThat(m)
                .contains("metadata.version is required")).anySatisfy(m -> assertThat(m)
                .contains("spec is required"));
    }

    @Test
    void refusesAToolWhoseArgsAreNotAJsonSchema() {
        String yaml = MINIMAL.replace("args: {type: object}", "args: {type: objectish, minLength: -1}");
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class,
                () -> PolicyCompiler.compile(yaml));
        assertThat(e.problems()).anySatisfy(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).contains("tool search_docs: args is not a valid JSON Schema");
        });
    }

    @Test
    void requireApprovalNeedsRolesAndAnIsoDuration() {
        String yaml = MINIMAL + """
                  rules:
                    - id: hold
                      effect: require_approval
                      when: 'true'
                      approval: {roles: [], expiresIn: 30m}
                """;
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class,
                () -> PolicyCompiler.compile(yaml));
        assertThat(e.problems()).extracting(PolicyProblem::message)
                .anySatisfy(m -> assertThat(m).contains("approval.roles must name at least one role"))
                .anySatisfy(m -> assertThat(m).contains("ISO-8601"));
    }

    @Test
    void multiLineConditionsReportTheLineInsideTheBlock() {
        String yaml = MINIMAL.replace("""
                      when: 'true'
                """, """
                      when: |
                        run.workflow == "x" &&
                        run.nope == 1
                """);
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class,
                () -> PolicyCompiler.compile(yaml));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(11);
            assertThat(p.ruleId()).isEqualTo("all");
            assertThat(p.message()).contains("undefined field 'nope'");
        });
    }

    @Test
    void compilesAMinimalBundle() throws Exception {
        CompiledBundle bundle = PolicyCompiler.compile(MINIMAL);
        assertThat(bundle.rules()).isEmpty();
        assertThat(bundle.limits()).isEqualTo(Limits.NONE);
        bundle.warmUp();
    }

    @Test
    void keepsAnUpstreamToolsPinAndIdempotentFlag() throws Exception {
        String pin = "ab".repeat(32);
        CompiledBundle bundle = PolicyCompiler.compile(MINIMAL.replace("search_docs: {risk: read, costMicros: 10,",
                "search_docs: {risk: read, costMicros: 10, pin: \"" + pin + "\", idempotent: true,"));
        assertThat(bundle.tool("search_docs")).hasValueSatisfying(t -> {
            assertThat(t.pin()).isEqualTo(pin);
            assertThat(t.idempotent()).isTrue();
        });
        assertThat(PolicyCompiler.compile(MINIMAL).tool("search_docs")).hasValueSatisfying(t -> {
            assertThat(t.pin()).isNull();
            assertThat(t.idempotent()).isFalse();
        });
    }

    @Test
    void refusesAPinThatIsNotASha256AndANonBooleanIdempotentFlag() {
        PolicyCompileException e = catchThrowableOfType(PolicyCompileException.class, () -> PolicyCompiler.compile(
                MINIMAL.replace("costMicros: 10,", "costMicros: 10, pin: abc,")));
        assertThat(e.problems()).anySatisfy(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).contains("tool search_docs: pin must be the 64 lowercase hex digits");
        });
        PolicyCompileException flag = catchThrowableOfType(PolicyCompileException.class, () -> PolicyCompiler.compile(
                MINIMAL.replace("costMicros: 10,", "costMicros: 10, idempotent: maybe,")));
        assertThat(flag.problems()).extracting(PolicyProblem::message)
                .anySatisfy(m -> assertThat(m).contains("idempotent must be true or false"));
    }
}

package dev.tollgate.policy.cases;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyCasesTest {

    static final String CASES = """
            cases:
              - name: unknown workflow rejected
                run: {workflow: coding}
                expect: {decision: rejected, code: DENIED_BY_RULE, rule: unknown-workflow}
              - name: external email denied
                call: {tool: email.send, args: {to: [x@evil.org], subject: hi}}
                expect: {decision: denied, code: DENIED_BY_RULE, rule: external-email}
              - name: bulk update held
                call: {tool: tickets.update, args: {ticket_ids: [1,2,3,4,5,6,7,8,9,10,11], fields: {}}}
                expect: {decision: held, rule: bulk-ticket-update-needs-approval}
              - name: wrong expectation
                call: {tool: search_docs, args: {q: hello}}
                expect: {decision: denied}
            """;

    @Test
    void runsEachCaseThroughTheDecidersAndReportsMismatches() throws Exception {
        List<PolicyCases.Result> results = PolicyCases.run(Fixtures.REFERENCE, CASES);
        assertThat(results).extracting(PolicyCases.Result::passed).containsExactly(true, true, true, false);
        assertThat(results.get(3).actual().decision()).isEqualTo("approved");
    }
}

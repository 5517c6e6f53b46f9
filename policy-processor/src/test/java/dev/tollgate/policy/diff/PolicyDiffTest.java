package dev.tollgate.policy.diff;

import static dev.tollgate.policy.Fixtures.context;
import static dev.tollgate.policy.Fixtures.requestRun;
import static dev.tollgate.policy.Fixtures.result;
import static dev.tollgate.policy.Fixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.policy.Fixtures;
import dev.tollgate.policy.engine.CompiledBundle;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyDiffTest {

    @Test
    void listsOnlyTheDecisionsThatWouldChangeWithBothOutcomes() {
        List<Object> recorded = List.of(
                requestRun("r1"),
                toolCall("r1", "c1", "email.send", "{\"to\":[\"a@example.com\"],\"subject\":\"hi\"}"),
                toolCall("r1", "c2", "search_docs", "{\"q\":\"x\"}"),
                result("r1", "c2", "search_docs", 1000),
                requestRun("r2", "coding", "staging", "Internal"));
        CompiledBundle candidate = Fixtures.referenceWith("'!args.to.all(a, a.matches(\"^[A-Za-z0-9._%+-]+@example[.]com$\"))'",
                "'true'");

        PolicyDiff.Report report = PolicyDiff.diff(recorded, context(), candidate, null);

        assertThat(report.compared()).isEqualTo(4);
        assertThat(report.changes()).singleElement().satisfies(change -> {
            assertThat(change.callId()).isEqualTo("c1");
            assertThat(change.commandType()).isEqualTo("RequestToolCall");
            assertThat(change.current().decision()).isEqualTo("approved");
            assertThat(change.current().rules()).containsExactly("allow-internal-email");
            assertThat(change.candidate().decision()).isEqualTo("denied");
            assertThat(change.candidate().codes()).containsExactly("DENIED_BY_RULE");
            assertThat(change.candidate().rules()).contains("external-email");
        });
    }

    @Test
    void theSameBundleChangesNothing() {
        List<Object> recorded = List.of(requestRun("r1"), toolCall("r1", "c1", "search_docs", "{\"q\":\"x\"}"));
        assertThat(PolicyDiff.diff(recorded, context(), Fixtures.REFERENCE, null).changes()).isEmpty();
    }

    @Test
    void aRunRejectedByTheCandidateChangesItsAdmissionAndLaterCalls() {
        List<Object> recorded = List.of(requestRun("r1"), toolCall("r1", "c1", "search_docs", "{\"q\":\"x\"}"));
        CompiledBundle candidate = Fixtures.referenceWith("[\"support-triage\", \"research\"]", "[\"research\"]");
        PolicyDiff.Report report = PolicyDiff.diff(recorded, context(), candidate, null);
        assertThat(report.changes()).extracting(c -> c.current().decision() + "->" + c.candidate().decision())
                .containsExactly("admitted->rejected", "approved->denied");
        assertThat(PolicyDiff.diff(recorded, context(), candidate, Fixtures.T0.plusSeconds(1)).changes())
                .hasSize(1);
    }
}

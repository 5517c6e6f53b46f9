package dev.tollgate.policy.gates;

import static dev.tollgate.policy.Fixtures.artifact;
import static dev.tollgate.policy.Fixtures.completeStage;
import static dev.tollgate.policy.Fixtures.context;
import static dev.tollgate.policy.Fixtures.requestRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.GateEvaluated;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.StageAdvanced;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.policy.RunHarness;
import dev.tollgate.policy.state.RunStatus;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class GateDeciderTest {

    private static final String WITH_EMAIL = "{\"title\":\"Q3\",\"summary\":\"write to jane@example.com\","
            + "\"owner\":\"research\"}";
    private static final String FIXED = "{\"title\":\"Q3\",\"summary\":\"write to the support queue\","
            + "\"owner\":\"research\"}";

    private static RunHarness research() {
        return new RunHarness(context()).given(requestRun("r1", "research", "staging", "Internal"));
    }

    @Test
    void aGateFailingOnAnEmailRejectsTheStageAndTheFixedArtifactPasses() {
        RunHarness run = research();
        run.when(artifact("r1", "report", WITH_EMAIL));

        List<SpecificRecord> failed = run.when(completeStage("r1", "deliver"));
        assertThat(failed).hasSize(4);
        List<GateEvaluated> gates = failed.subList(0, 3).stream().map(GateEvaluated.class::cast).toList();
        assertThat(gates).extracting(GateEvaluated::getGateId).containsExactly("report-complete", "report-no-pii",
                "report-size");
        assertThat(gates).extracting(GateEvaluated::getPassed).containsExactly(true, false, true);
        assertThat(gates.get(1).getFindings()).singleElement().asString().startsWith("email address at character");
        assertThat(gates.get(1).getArtifactSha256()).isEqualTo(Sha256.hex(WITH_EMAIL));
        CommandRejected rejected = (CommandRejected) failed.get(3);
        assertThat(rejected.getReasons()).extracting(Reason::getCode).containsExactly(ReasonCode.GATE_FAILED);
        assertThat(rejected.getReasons()).extracting(Reason::getRuleId).containsExactly("report-no-pii");
        assertThat(run.state("r1").getStatus()).as("the run stays active for a fix").isEqualTo(RunStatus.ACTIVE);

        run.when(artifact("r1", "report", FIXED));
        List<SpecificRecord> passed = run.when(completeStage("r1", "deliver"));
        assertThat(passed).hasSize(4);
        assertThat(passed.subList(0, 3)).allSatisfy(e -> assertThat(((GateEvaluated) e).getPassed()).isTrue());
        assertThat(passed.get(3)).isInstanceOfSatisfying(StageAdvanced.class, s -> {
            assertThat(s.getStage()).isEqualTo("deliver");
            assertThat(s.getGates()).isEqualTo(3);
        });
        assertThat(run.state("r1").getStage()).isEqualTo("deliver");
        assertThat(run.single(completeStage("r1", "deliver"), CommandRejected.class).getReasons().get(0).getCode())
                .isEqualTo(ReasonCode.COMMAND_INVALID);
    }

    @Test
    void aMissingArtifactFailsItsGates() {
        List<SpecificRecord> events = research().when(completeStage("r1", "deliver"));
        assertThat(events.subList(0, 3)).allSatisfy(e -> {
            assertThat(((GateEvaluated) e).getPassed()).isFalse();
            assertThat(((GateEvaluated) e).getFindings()).containsExactly("no artifact of type report was submitted");
        });
        assertThat(((CommandRejected) events.get(3)).getReasons()).hasSize(3);
    }

    @Test
    void gatesUseTheLatestArtifactOfTheirType() {
        RunHarness run = research();
        run.when(artifact("r1", "report", FIXED));
        run.when(artifact("r1", "report", "{\"title\":\"\"}"));
        List<SpecificRecord> events = run.when(completeStage("r1", "deliver"));
        assertThat(((GateEvaluated) events.get(0)).getPassed()).isFalse();
        assertThat(events.get(3)).isInstanceOf(CommandRejected.class);
    }

    @Test
    void aStageWithoutGatesForTheWorkflowIsUnknown() {
        RunHarness run = new RunHarness(context()).given(requestRun("r1"));
        assertThat(run.single(completeStage("r1", "deliver"), CommandRejected.class).getReasons().get(0).getCode())
                .isEqualTo(ReasonCode.STAGE_UNKNOWN);
        assertThat(research().single(completeStage("r1", "draft"), CommandRejected.class).getReasons().get(0)
                .getCode()).isEqualTo(ReasonCode.STAGE_UNKNOWN);
    }
}

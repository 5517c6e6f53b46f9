package dev.tollgate.policy.gates;

import dev.tollgate.events.Command;
import dev.tollgate.events.CompleteStage;
import dev.tollgate.events.GateEvaluated;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.StageAdvanced;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.GateSpec;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Reasons;
import dev.tollgate.policy.run.Rejections;
import dev.tollgate.policy.state.ArtifactRef;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * {@code CompleteStage}: runs the gates the bundle declares for the run's workflow and that stage, each over the
 * run's latest artifact of the gate's type, and records one {@code GateEvaluated} per gate (passed, findings). All
 * passed: {@code StageAdvanced}. Any failed: {@code CommandRejected} with one GATE_FAILED reason per failed gate and
 * the run stays active, so the agent can submit a fixed artifact and complete the stage again (a deliberate
 * deviation from the "RunHalted (GATE_FAILED)", see docs/architecture.md). A stage without gates for the
 * workflow is STAGE_UNKNOWN; a stage already advanced is COMMAND_INVALID. Pure: no Kafka, no clock.
 */
public final class GateDecider {

    private GateDecider() {
    }

    public static Decision decide(RunState state, Command command, CompleteStage complete, PolicyContext context) {
        CompiledBundle bundle = context.bundle().orElse(null);
        String stage = complete.getStage();
        if (!state.getPrincipalId().equals(command.getPrincipalId())) {
            return Rejections.reject(bundle, command, ReasonCode.PRINCIPAL_MISMATCH, "run", "run "
                    + state.getRunId() + " belongs to another principal");
        }
        if (bundle == null) {
            return Rejections.reject(null, command, ReasonCode.POLICY_ERROR, "policy", "no policy bundle is in force");
        }
        List<GateSpec> gates = bundle.gates().stream()
                .filter(g -> g.workflow().equals(state.getWorkflow()) && g.stage().equals(stage)).toList();
        if (gates.isEmpty()) {
            return Rejections.reject(bundle, command, ReasonCode.STAGE_UNKNOWN, "gates", "bundle " + bundle.name()
                    + " declares no gates for stage " + stage + " of workflow " + state.getWorkflow());
        }
        if (state.getCompletedStages().contains(stage)) {
            return Rejections.reject(bundle, command, ReasonCode.COMMAND_INVALID, "gates", "stage " + stage
                    + " was already completed");
        }
        List<Decided> events = new ArrayList<>();
        List<Reason> failures = new ArrayList<>();
        for (GateSpec gate : gates) {
            ArtifactRef artifact = state.getArtifacts().get(gate.artifact());
            List<String> findings;
            if (artifact == null) {
                findings = List.of("no artifact of type " + gate.artifact() + " was submitted");
            } else {
                Optional<String> content = context.artifactContent(artifact.getSha256());
                findings = content.isEmpty()
                        ? List.of("content of artifact " + artifact.getSha256() + " is not available")
                        : Validators.validate(gate, content.get());
            }
            boolean passed = findings.isEmpty();
            events.add(Decided.of(GateEvaluated.newBuilder().setStage(stage).setGateId(gate.id())
                    .setArtifactType(gate.artifact()).setValidator(gate.validator())
                    .setArtifactSha256(artifact == null ? null : artifact.getSha256()).setPassed(passed)
                    .setFindings(findings).build()));
            if (!passed) {
                failures.add(Reasons.of(ReasonCode.GATE_FAILED, gate.id(), "gate " + gate.id() + " failed: "
                        + String.join("; ", findings)));
            }
        }
        if (failures.isEmpty()) {
            events.add(Decided.of(StageAdvanced.newBuilder().setStage(stage).setGates(gates.size()).build()));
        } else {
            events.add(Decided.of(Rejections.rejected(command, null, failures)));
        }
        return new Decision(events, bundle);
    }

    public static RunState evolve(RunState state, SpecificRecord payload) {
        if (!(payload instanceof StageAdvanced advanced)) {
            return state;
        }
        List<String> completed = new ArrayList<>(state.getCompletedStages());
        completed.add(advanced.getStage());
        RunState next = RunStates.copyOf(state);
        next.setStage(advanced.getStage());
        next.setCompletedStages(completed);
        return next;
    }
}

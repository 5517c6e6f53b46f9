package dev.tollgate.policy.artifacts;

import dev.tollgate.events.ArtifactContent;
import dev.tollgate.events.ArtifactRecorded;
import dev.tollgate.events.Command;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.SubmitArtifact;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Rejections;
import dev.tollgate.policy.state.ArtifactRef;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * {@code SubmitArtifact} on an active run: content above {@link PolicyContext#maxArtifactBytes()} UTF-8 bytes is
 * rejected (ARTIFACT_TOO_LARGE); otherwise {@code ArtifactRecorded} with the type, the next version of that type in
 * the run (1, 2, 3...), the SHA-256, size and classification, and the content beside it for
 * {@code tollgate.artifacts.v1} (keyed by SHA-256). The run state keeps only the latest artifact of each type. Pure.
 */
public final class ArtifactDecider {

    private ArtifactDecider() {
    }

    public static Decision decide(RunState state, Command command, SubmitArtifact artifact, PolicyContext context) {
        CompiledBundle bundle = context.bundle().orElse(null);
        if (!state.getPrincipalId().equals(command.getPrincipalId())) {
            return Rejections.reject(bundle, command, ReasonCode.PRINCIPAL_MISMATCH, "run", "run "
                    + state.getRunId() + " belongs to another principal");
        }
        if (artifact.getType() == null || artifact.getType().isBlank()) {
            return Rejections.reject(bundle, command, ReasonCode.COMMAND_INVALID, "artifact", "artifact type is empty");
        }
        byte[] bytes = artifact.getContent().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > context.maxArtifactBytes()) {
            return Rejections.reject(bundle, command, ReasonCode.ARTIFACT_TOO_LARGE, "artifacts.maxBytes",
                    "artifact is " + bytes.length + " bytes; the limit is " + context.maxArtifactBytes());
        }
        String sha256 = Sha256.hex(bytes);
        ArtifactRef previous = state.getArtifacts().get(artifact.getType());
        int version = previous == null ? 1 : previous.getVersion() + 1;
        ArtifactRecorded recorded = ArtifactRecorded.newBuilder().setType(artifact.getType()).setVersion(version)
                .setSha256(sha256).setSizeBytes(bytes.length).setClassification(artifact.getClassification())
                .setStage(artifact.getStage()).build();
        ArtifactContent content = ArtifactContent.newBuilder().setSha256(sha256).setContent(artifact.getContent())
                .setSizeBytes(bytes.length).setTenantId(state.getTenantId()).setRunId(state.getRunId())
                .setType(artifact.getType()).setRecordedAt(command.getIssuedAt()).build();
        return Decision.of(bundle, new Decided(recorded, null, null, content, null));
    }

    public static RunState evolve(RunState state, SpecificRecord payload) {
        if (!(payload instanceof ArtifactRecorded recorded)) {
            return state;
        }
        Map<String, ArtifactRef> artifacts = new HashMap<>(state.getArtifacts());
        artifacts.put(recorded.getType(), ArtifactRef.newBuilder().setType(recorded.getType())
                .setVersion(recorded.getVersion()).setSha256(recorded.getSha256())
                .setSizeBytes(recorded.getSizeBytes()).build());
        RunState next = RunStates.copyOf(state);
        next.setArtifacts(artifacts);
        return next;
    }
}

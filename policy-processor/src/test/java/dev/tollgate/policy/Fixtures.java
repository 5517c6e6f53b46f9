package dev.tollgate.policy;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.Command;
import dev.tollgate.events.CompleteStage;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillRun;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.ReportUsage;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunBudget;
import dev.tollgate.events.SubmitArtifact;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.DefaultBundle;
import dev.tollgate.policy.engine.PolicyCompiler;
import dev.tollgate.policy.run.StaticPolicyContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small builders with sane defaults for decider and topology tests. */
public final class Fixtures {

    public static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    public static final String TENANT = "acme";
    public static final String AGENT = "agent-1";
    public static final CompiledBundle REFERENCE = DefaultBundle.compiled();
    /** The intake service key of the tests (a fixed, non-secret test key). */
    public static final KeyRing INTAKE_KEYS = KeyRing.of("test-intake", "test-intake-key-0123456789abcdef"
            .getBytes(StandardCharsets.UTF_8));

    private Fixtures() {
    }

    /** A copy of the command with intake's proof, as intake would produce it. */
    public static Command signed(Command command) {
        return Proofs.signHmac(Command.newBuilder(command).build(), INTAKE_KEYS, "intake");
    }

    /** Writes {@link #INTAKE_KEYS} as a key file under {@code dir}; returns its path. */
    public static Path intakeKeyFile(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("test-command-keys");
            Files.writeString(file, "test-intake=" + Base64.getEncoder().encodeToString(
                    "test-intake-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)) + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CompiledBundle bundle(String yaml) {
        try {
            return PolicyCompiler.compile(yaml);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The reference bundle with one piece of text replaced (which must be present). */
    public static CompiledBundle referenceWith(String text, String replacement) {
        String yaml = DefaultBundle.yaml();
        if (!yaml.contains(text)) {
            throw new AssertionError("reference bundle has no " + text);
        }
        return bundle(yaml.replace(text, replacement));
    }

    public static Identity identity(String principalId, boolean enabled, String... roles) {
        return Identity.newBuilder().setPrincipalId(principalId).setName(principalId).setKind(PrincipalKind.AGENT)
                .setTenantId(TENANT).setRoles(List.of(roles)).setApiKeySha256("0".repeat(64)).setEnabled(enabled)
                .setCreatedAt(T0).setUpdatedAt(T0).build();
    }

    /** A human principal of a tenant, with roles. */
    public static Identity human(String principalId, String tenantId, boolean enabled, String... roles) {
        return Identity.newBuilder(identity(principalId, enabled, roles)).setKind(PrincipalKind.HUMAN)
                .setTenantId(tenantId).build();
    }

    public static KillSwitch killSwitch(KillSwitchScope scope, String target, boolean engaged) {
        return KillSwitch.newBuilder().setScope(scope).setTarget(target).setEngaged(engaged).setReason("incident 42")
                .setUpdatedAt(T0).setUpdatedBy("admin").build();
    }

    public static StaticPolicyContext context() {
        return new StaticPolicyContext(REFERENCE, Map.of(AGENT, identity(AGENT, true), "agent-2",
                identity("agent-2", true)), Map.of());
    }

    public static Command command(String runId, String principalId, Instant issuedAt, Object payload) {
        return Command.newBuilder().setCommandId(UUID.randomUUID().toString()).setRunId(runId).setTenantId(TENANT)
                .setPrincipalId(principalId).setIssuedAt(issuedAt).setPayload(payload).build();
    }

    public static Command requestRun(String runId, String workflow, String environment, String classification) {
        return command(runId, AGENT, T0, RequestRun.newBuilder().setWorkflow(workflow).setEnvironment(environment)
                .setClassification(classification).setInputJson("{\"ticket\":7}").build());
    }

    public static Command requestRun(String runId) {
        return requestRun(runId, "support-triage", "staging", "Internal");
    }

    public static Command requestRun(String runId, RunBudget budget) {
        Command command = requestRun(runId);
        ((RequestRun) command.getPayload()).setBudget(budget);
        return command;
    }

    public static Command toolCall(String runId, String callId, String tool, String argsJson) {
        return command(runId, AGENT, T0.plusSeconds(1), RequestToolCall.newBuilder().setCallId(callId).setTool(tool)
                .setArgsJson(argsJson).build());
    }

    public static Command decideApproval(String runId, String approver, Instant at, String callId,
                                         ApprovalDecision decision) {
        return command(runId, approver, at, DecideApproval.newBuilder().setCallId(callId).setDecision(decision)
                .setReason("looked at it").build());
    }

    public static Command usage(String runId, Instant at, String model, long inputTokens, long outputTokens) {
        return command(runId, AGENT, at, ReportUsage.newBuilder().setModel(model).setInputTokens(inputTokens)
                .setOutputTokens(outputTokens).build());
    }

    public static Command artifact(String runId, String type, String content) {
        return command(runId, AGENT, T0.plusSeconds(5), SubmitArtifact.newBuilder().setType(type).setContent(content)
                .setClassification("Internal").setStage("deliver").build());
    }

    public static Command completeStage(String runId, String stage) {
        return command(runId, AGENT, T0.plusSeconds(6), CompleteStage.newBuilder().setStage(stage).build());
    }

    public static Command killRun(String runId, String principalId) {
        return command(runId, principalId, T0.plusSeconds(7), KillRun.newBuilder().setReason("runaway").build());
    }

    public static Command finish(String runId) {
        return command(runId, AGENT, T0.plusSeconds(60), FinishRun.newBuilder().setOutcome("done").build());
    }

    public static ToolCallResult result(String runId, String callId, String tool, long costMicros) {
        String resultSha = CanonicalJson.sha256("{\"ok\":true}");
        Receipt receipt = Receipt.newBuilder().setKeyId("k1").setRunId(runId).setCallId(callId).setTool(tool)
                .setArgsSha256("a".repeat(64)).setResultSha256(resultSha).setStatus(ToolCallStatus.SUCCEEDED)
                .setStartedAt(T0.plusSeconds(2)).setFinishedAt(T0.plusSeconds(3)).setSignature("c2ln").build();
        return ToolCallResult.newBuilder().setRunId(runId).setCallId(callId).setTool(tool)
                .setStatus(ToolCallStatus.SUCCEEDED).setResultJson("{\"ok\":true}").setResultSha256(resultSha)
                .setCostMicros(costMicros).setGatewayId("gw-1").setStartedAt(T0.plusSeconds(2))
                .setFinishedAt(T0.plusSeconds(3)).setReceipt(receipt).build();
    }
}

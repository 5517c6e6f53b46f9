package dev.tollgate.ledger.model.testing;

import dev.tollgate.events.ApprovalDenied;
import dev.tollgate.events.ApprovalExpired;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.ArtifactRecorded;
import dev.tollgate.events.BudgetDimension;
import dev.tollgate.events.BudgetExhausted;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.GateEvaluated;
import dev.tollgate.events.Grants;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunCompleted;
import dev.tollgate.events.RunHalted;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.StageAdvanced;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.UsageRecorded;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.events.hash.LedgerHash;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Builds one run's recorded ledger the way the policy-processor writes it: seq 1, 2, 3..., each prevHash the
 * {@link LedgerHash} of the previous event, event time advancing one second per event.
 */
public final class RunLedger {

    public static final String ARGS = "{\"path\":\"/tmp/a.txt\"}";

    private final String runId;
    private final String tenantId;
    private final String principalId;
    private final List<LedgerEvent> events = new ArrayList<>();
    private String prevHash = LedgerHash.GENESIS;
    private Instant clock = Instant.parse("2026-03-01T10:00:00Z");

    public RunLedger(String runId, String tenantId, String principalId) {
        this.runId = runId;
        this.tenantId = tenantId;
        this.principalId = principalId;
    }

    /** A run with a random id, for tenant {@code tenantId}, by principal {@code agent-<tenant>}. */
    public static RunLedger forTenant(String tenantId) {
        return new RunLedger(UUID.randomUUID().toString(), tenantId, "agent-" + tenantId);
    }

    public String runId() {
        return runId;
    }

    public String tenantId() {
        return tenantId;
    }

    public List<LedgerEvent> events() {
        return List.copyOf(events);
    }

    public LedgerEvent last() {
        return events.get(events.size() - 1);
    }

    public String headHash() {
        return prevHash;
    }

    /** Appends an event with the next seq and the chained prevHash. */
    public LedgerEvent append(Object payload) {
        clock = clock.plusSeconds(1);
        LedgerEvent event = LedgerEvent.newBuilder()
                .setRunId(runId)
                .setSeq(events.size() + 1L)
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(clock)
                .setTenantId(tenantId)
                .setPrincipalId(principalId)
                .setPolicyName("default")
                .setPolicyVersion("7")
                .setPolicySha256("ab".repeat(32))
                .setCausationId(UUID.randomUUID().toString())
                .setPrevHash(prevHash)
                .setPayload(payload)
                .build();
        prevHash = LedgerHash.of(event);
        events.add(event);
        return event;
    }

    public LedgerEvent admitted() {
        return append(RunAdmitted.newBuilder().setWorkflow("triage").setEnvironment("prod")
                .setClassification("internal").setRuleId("runs.triage")
                .setGrants(Grants.newBuilder().setTools(List.of("fs.read", "http.fetch")).setMaxToolCalls(10)
                        .setCostMicros(5_000_000).setTokens(100_000).setRetentionDays(30).build())
                .setInputSha256(CanonicalJson.sha256("{}")).build());
    }

    public LedgerEvent rejected(ReasonCode code) {
        return append(RunRejected.newBuilder().setWorkflow("triage").setEnvironment("prod")
                .setClassification("secret").setReasons(List.of(reason(code))).build());
    }

    public LedgerEvent approved(String callId, String tool) {
        return append(ToolCallApproved.newBuilder().setCallId(callId).setTool(tool).setArgsJson(ARGS)
                .setArgsSha256(CanonicalJson.sha256(ARGS)).setReservedCostMicros(1000)
                .setMatchedRules(List.of("allow-" + tool)).build());
    }

    public LedgerEvent denied(String callId, String tool, ReasonCode code) {
        return append(ToolCallDenied.newBuilder().setCallId(callId).setTool(tool).setArgsJson(ARGS)
                .setReasons(List.of(reason(code))).build());
    }

    public LedgerEvent held(String callId, String tool) {
        return append(ToolCallHeld.newBuilder().setCallId(callId).setTool(tool).setArgsJson(ARGS)
                .setArgsSha256(CanonicalJson.sha256(ARGS)).setApproverRoles(List.of("approver"))
                .setExpiresAt(clock.plus(Duration.ofHours(1))).setMatchedRules(List.of("hold-" + tool)).build());
    }

    public LedgerEvent granted(String callId) {
        return append(ApprovalGranted.newBuilder().setCallId(callId).setApproverId("human-1").setReason("ok")
                .build());
    }

    public LedgerEvent approvalDenied(String callId) {
        return append(ApprovalDenied.newBuilder().setCallId(callId).setApproverId("human-1").setReason("no")
                .build());
    }

    public LedgerEvent expired(String callId) {
        return append(ApprovalExpired.newBuilder().setCallId(callId).setExpiresAt(clock).build());
    }

    public LedgerEvent completed(String callId, String tool, ToolCallStatus status, long costMicros,
                                 Receipt receipt) {
        return append(ToolCallCompleted.newBuilder().setCallId(callId).setTool(tool).setStatus(status)
                .setResultSha256(receipt == null ? null : receipt.getResultSha256()).setCostMicros(costMicros)
                .setReceipt(receipt).build());
    }

    public LedgerEvent usage(long inputTokens, long outputTokens, long costMicros, long totalTokens) {
        return append(UsageRecorded.newBuilder().setModel("small-model").setInputTokens(inputTokens)
                .setOutputTokens(outputTokens).setCostMicros(costMicros).setTotalTokens(totalTokens)
                .setTotalCostMicros(costMicros).build());
    }

    public LedgerEvent budgetExhausted() {
        return append(BudgetExhausted.newBuilder().setDimension(BudgetDimension.COST).setLimit(5).setUsed(6).build());
    }

    public LedgerEvent artifact(String stage) {
        return append(ArtifactRecorded.newBuilder().setType("plan").setVersion(1).setSha256("cd".repeat(32))
                .setSizeBytes(42).setClassification("internal").setStage(stage).build());
    }

    public LedgerEvent gate(String stage, boolean passed) {
        return append(GateEvaluated.newBuilder().setStage(stage).setGateId("g1").setArtifactType("plan")
                .setValidator("required_fields").setPassed(passed).build());
    }

    public LedgerEvent stageAdvanced(String stage) {
        return append(StageAdvanced.newBuilder().setStage(stage).setGates(1).build());
    }

    public LedgerEvent halted(ReasonCode code) {
        return append(RunHalted.newBuilder().setReasons(List.of(reason(code))).build());
    }

    public LedgerEvent runCompleted() {
        return append(RunCompleted.newBuilder().setOutcome("success").setSummary("done").build());
    }

    public LedgerEvent commandRejected(String callId, ReasonCode code) {
        return rejected("DecideApproval", callId, code);
    }

    /** A {@code CommandRejected} answering a command of {@code commandType} (a schema name). */
    public LedgerEvent rejected(String commandType, String callId, ReasonCode code) {
        return append(CommandRejected.newBuilder().setCommandId(UUID.randomUUID().toString())
                .setCommandType(commandType).setCallId(callId).setReasons(List.of(reason(code))).build());
    }

    private static Reason reason(ReasonCode code) {
        return Reason.newBuilder().setCode(code).setRuleId("rule-" + code.name().toLowerCase())
                .setMessage(code.name() + " for the test").setSuggest(List.of("search_docs")).build();
    }
}

package dev.tollgate.policy.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.Command;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.ShadowMatch;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.events.hash.Sha256;
import dev.tollgate.policy.engine.CelValues;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyInput;
import dev.tollgate.policy.engine.RuleEffect;
import dev.tollgate.policy.engine.ToolRule;
import dev.tollgate.policy.engine.ToolSpec;
import dev.tollgate.policy.kill.KillDecider;
import dev.tollgate.policy.limits.LimitsDecider;
import dev.tollgate.policy.run.Checks;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Reasons;
import dev.tollgate.policy.state.CallState;
import dev.tollgate.policy.state.CallStatus;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import dev.tollgate.policy.state.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Tool-call decisions, checked in this order: run active and the caller its principal; identity enabled; kill
 * switches; tool declared and granted; arguments valid against the tool's JSON Schema; per-run call cap and cost
 * budget (the tool's cost is reserved); tenant cost of the day and agent calls of the minute (limits); then the
 * bundle's rules, deny-overrides: an enforced deny (or a rule that
 * failed to evaluate) denies; else a require_approval holds; else an allow approves; else NO_MATCHING_RULE.
 * Shadow rules are recorded, never enforced. An approval carries a {@link ToolCallDispatch} with the intact
 * arguments; the ledger's copy has the matched rules' {@code redact} pointers masked. Pure: no Kafka, no clock.
 */
public final class ToolCallDecider {

    private ToolCallDecider() {
    }

    public static Decision decide(RunState state, Command command, RequestToolCall call, PolicyContext context) {
        CompiledBundle bundle = context.bundle().orElse(null);
        if (state.getCalls().containsKey(call.getCallId())) {
            return Decision.of(bundle, Decided.of(CommandRejected.newBuilder()
                    .setCommandId(command.getCommandId()).setCommandType("RequestToolCall")
                    .setCallId(call.getCallId())
                    .setReasons(List.of(Reasons.of(ReasonCode.COMMAND_INVALID, "callId", "callId "
                            + call.getCallId() + " was already used in this run")))
                    .build()));
        }
        if (state.getStatus() == RunStatus.HALTED) {
            // The halt's own reason (KILL_SWITCH, BUDGET_EXHAUSTED, IDENTITY_DISABLED, RUN_KILLED), and any switch
            // engaged since: the agent learns why, not only that the run stopped.
            List<Reason> reasons = new ArrayList<>(List.of(KillDecider.haltReason(state)));
            for (Reason engaged : Checks.killSwitches(context, state.getTenantId(), state.getPrincipalId(),
                    state.getRunId())) {
                if (reasons.stream().noneMatch(r -> r.getCode() == engaged.getCode())) {
                    reasons.add(engaged);
                }
            }
            return deny(bundle, call, reasons.toArray(Reason[]::new));
        }
        if (state.getStatus() != RunStatus.ACTIVE) {
            return deny(bundle, call, Reasons.of(ReasonCode.RUN_NOT_ACTIVE, "run", "run " + state.getRunId()
                    + " is " + state.getStatus().name().toLowerCase(java.util.Locale.ROOT)));
        }
        if (!state.getPrincipalId().equals(command.getPrincipalId())) {
            return deny(bundle, call, Reasons.of(ReasonCode.PRINCIPAL_MISMATCH, "run", "run " + state.getRunId()
                    + " belongs to another principal"));
        }
        Optional<Reason> identity = Checks.identity(context, command.getPrincipalId());
        if (identity.isPresent()) {
            return deny(bundle, call, identity.get());
        }
        List<Reason> killSwitches = Checks.killSwitches(context, state.getTenantId(), command.getPrincipalId(),
                state.getRunId());
        if (!killSwitches.isEmpty()) {
            return deny(bundle, call, killSwitches.toArray(Reason[]::new));
        }
        if (bundle == null) {
            return deny(null, call, Reasons.of(ReasonCode.POLICY_ERROR, "policy", "no policy bundle is in force"));
        }
        Optional<ToolSpec> tool = bundle.tool(call.getTool());
        if (tool.isEmpty()) {
            return deny(bundle, call, Reasons.of(ReasonCode.TOOL_UNKNOWN, "tools", "tool " + call.getTool()
                    + " is not declared by bundle " + bundle.name()));
        }
        if (!state.getGrantedTools().contains(call.getTool())) {
            return deny(bundle, call, Reasons.of(ReasonCode.TOOL_NOT_ALLOWED, "grants.tools", "tool "
                    + call.getTool() + " is not granted to this run", state.getGrantedTools()));
        }
        JsonNode args;
        try {
            args = CanonicalJson.parse(call.getArgsJson());
        } catch (IllegalArgumentException e) {
            return deny(bundle, call, Reasons.of(ReasonCode.ARGS_INVALID, "args", e.getMessage()));
        }
        List<String> invalid = tool.get().validateArgs(args);
        if (!invalid.isEmpty()) {
            return deny(bundle, call, Reasons.of(ReasonCode.ARGS_INVALID, "args", String.join("; ", invalid)));
        }
        long cost = tool.get().costMicros();
        if (state.getToolCalls() >= state.getMaxToolCalls()) {
            return deny(bundle, call, Reasons.of(ReasonCode.BUDGET_EXHAUSTED, "grants.maxToolCalls", "run has made "
                    + state.getToolCalls() + " of its " + state.getMaxToolCalls() + " tool calls"));
        }
        long committed = state.getSpentCostMicros() + state.getReservedCostMicros();
        if (committed + cost > state.getBudgetCostMicros()) {
            return deny(bundle, call, Reasons.of(ReasonCode.BUDGET_EXHAUSTED, "grants.budget.costMicros", "call costs "
                    + cost + " micro-USD; run has spent or reserved " + committed + " of "
                    + state.getBudgetCostMicros()));
        }
        Optional<Reason> limit = LimitsDecider.toolCall(bundle.limits(), context, state.getTenantId(),
                command.getPrincipalId(), command.getIssuedAt());
        if (limit.isPresent()) {
            return deny(bundle, call, limit.get());
        }
        return rules(state, command, call, context, bundle, tool.get(), args);
    }

    private static Decision rules(RunState state, Command command, RequestToolCall call, PolicyContext context,
                                  CompiledBundle bundle, ToolSpec tool, JsonNode args) {
        PolicyInput input = new PolicyInput(
                Checks.principal(context, command.getPrincipalId(), state.getTenantId()),
                new PolicyInput.Run(state.getRunId(), state.getWorkflow(), state.getEnvironment(),
                        state.getClassification(), state.getStage(), state.getToolCalls(), state.getSpentCostMicros(),
                        state.getTokens(), CelValues.fromJson(CanonicalJson.parse(state.getInputJson()))),
                new PolicyInput.Tool(tool.name(), tool.risk()), CelValues.fromJson(args), command.getIssuedAt());
        List<String> matched = new ArrayList<>();
        List<ShadowMatch> shadow = new ArrayList<>();
        List<Reason> denials = new ArrayList<>();
        List<ToolRule> holds = new ArrayList<>();
        List<List<String>> redact = new ArrayList<>();
        boolean allowed = false;
        for (CompiledBundle.RuleOutcome outcome : bundle.evaluateRules(input)) {
            ToolRule rule = outcome.rule();
            if (rule.shadow()) {
                if (outcome.match() != CompiledBundle.Match.NOT_MATCHED) {
                    shadow.add(ShadowMatch.newBuilder().setRuleId(rule.id()).setEffect(
                            outcome.match() == CompiledBundle.Match.ERROR ? "policy_error" : rule.effect().yamlName())
                            .build());
                }
                continue;
            }
            if (outcome.match() == CompiledBundle.Match.ERROR) {
                // Fail closed: a rule that cannot be evaluated denies.
                denials.add(Reasons.of(ReasonCode.POLICY_ERROR, rule.id(), "rule " + rule.id()
                        + " failed to evaluate: " + outcome.error()));
                continue;
            }
            if (outcome.match() != CompiledBundle.Match.MATCHED) {
                continue;
            }
            matched.add(rule.id());
            redact.add(rule.redact());
            if (rule.effect() == RuleEffect.DENY) {
                denials.add(Reasons.of(ReasonCode.DENIED_BY_RULE, rule.id(), rule.message().isEmpty()
                        ? "denied by rule " + rule.id() : rule.message(), rule.suggest()));
            } else if (rule.effect() == RuleEffect.REQUIRE_APPROVAL) {
                holds.add(rule);
            } else {
                allowed = true;
            }
        }
        List<String> masked = new ArrayList<>();
        String ledgerArgs = Redaction.apply(args, Redaction.union(redact), masked).toString();
        // The tree parsed once for the schema check, the rules and the redaction is the one hashed.
        String argsSha256 = Sha256.hex(CanonicalJson.write(args));
        if (!denials.isEmpty()) {
            return Decision.of(bundle, Decided.of(ToolCallDenied.newBuilder()
                    .setCallId(call.getCallId()).setTool(call.getTool()).setArgsJson(ledgerArgs).setReasons(denials)
                    .setMatchedRules(matched).setShadowRules(shadow).build()));
        }
        if (!holds.isEmpty()) {
            List<String> roles = Redaction.union(holds.stream().map(r -> r.approval().roles()).toList());
            Duration expiresIn = holds.stream().map(r -> r.approval().expiresIn()).min(Duration::compareTo)
                    .orElseThrow();
            ToolCallHeld held = ToolCallHeld.newBuilder()
                    .setCallId(call.getCallId()).setTool(call.getTool()).setArgsJson(ledgerArgs)
                    .setArgsSha256(argsSha256).setRedacted(masked).setReservedCostMicros(tool.costMicros())
                    .setApproverRoles(roles).setExpiresAt(command.getIssuedAt().plus(expiresIn))
                    .setMatchedRules(matched).setShadowRules(shadow).build();
            return Decision.of(bundle, new Decided(held, null, call.getArgsJson()));
        }
        if (allowed) {
            ToolCallApproved approved = ToolCallApproved.newBuilder()
                    .setCallId(call.getCallId()).setTool(call.getTool()).setArgsJson(ledgerArgs)
                    .setArgsSha256(argsSha256).setRedacted(masked).setReservedCostMicros(tool.costMicros())
                    .setMatchedRules(matched).setShadowRules(shadow).build();
            return Decision.of(bundle, new Decided(approved, dispatch(state, command, call, bundle, tool, argsSha256,
                    command.getIssuedAt()), null));
        }
        return Decision.of(bundle, Decided.of(ToolCallDenied.newBuilder()
                .setCallId(call.getCallId()).setTool(call.getTool()).setArgsJson(ledgerArgs)
                .setReasons(List.of(Reasons.of(ReasonCode.NO_MATCHING_RULE, null, "no rule allows this call")))
                .setMatchedRules(matched).setShadowRules(shadow).build()));
    }

    /** The dispatch of an approved call: intact arguments and the schema the gateway re-validates them with. */
    public static ToolCallDispatch dispatch(RunState state, Command command, RequestToolCall call,
                                            CompiledBundle bundle, ToolSpec tool, String argsSha256,
                                            Instant approvedAt) {
        return ToolCallDispatch.newBuilder()
                .setRunId(state.getRunId()).setCallId(call.getCallId()).setTool(call.getTool())
                .setArgsJson(call.getArgsJson()).setArgsSha256(argsSha256).setArgsSchemaJson(tool.argsSchemaJson())
                .setTenantId(state.getTenantId()).setPrincipalId(state.getPrincipalId())
                .setCostMicros(tool.costMicros()).setPolicyVersion(bundle.version()).setApprovedAt(approvedAt)
                .setLedgerSeq(0).setTraceparent(command.getTraceparent()).setPin(tool.pin()).build();
    }

    private static Decision deny(CompiledBundle bundle, RequestToolCall call, Reason... reasons) {
        // Checks before the rules record no arguments: no rule has said what to redact yet.
        return Decision.of(bundle, Decided.of(ToolCallDenied.newBuilder()
                .setCallId(call.getCallId()).setTool(call.getTool()).setArgsJson(null)
                .setReasons(List.of(reasons)).build()));
    }

    /** The run state after a tool-call decision: approved and held calls count and reserve their cost. */
    public static RunState evolve(RunState state, SpecificRecord payload, String stateOnly) {
        if (payload instanceof ToolCallApproved approved) {
            return withCall(state, approved.getReservedCostMicros(), CallState.newBuilder()
                    .setCallId(approved.getCallId()).setTool(approved.getTool()).setStatus(CallStatus.APPROVED)
                    .setReservedCostMicros(approved.getReservedCostMicros()).setArgsSha256(approved.getArgsSha256())
                    .build());
        }
        if (payload instanceof ToolCallHeld held) {
            return withCall(state, held.getReservedCostMicros(), CallState.newBuilder()
                    .setCallId(held.getCallId()).setTool(held.getTool()).setStatus(CallStatus.HELD)
                    .setReservedCostMicros(held.getReservedCostMicros()).setArgsSha256(held.getArgsSha256())
                    .setArgsJson(stateOnly == null ? held.getArgsJson() : stateOnly)
                    .setApproverRoles(held.getApproverRoles()).setExpiresAt(held.getExpiresAt().toEpochMilli())
                    .build());
        }
        return state;
    }

    private static RunState withCall(RunState state, long reserve, CallState call) {
        Map<String, CallState> calls = new HashMap<>(state.getCalls());
        calls.put(call.getCallId(), call);
        RunState next = RunStates.copyOf(state);
        next.setCalls(calls);
        next.setToolCalls(state.getToolCalls() + 1);
        next.setReservedCostMicros(state.getReservedCostMicros() + reserve);
        return next;
    }
}

package dev.tollgate.policy.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.Command;
import dev.tollgate.events.Grants;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.RunBudget;
import dev.tollgate.events.RunRejected;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.policy.engine.CelValues;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyInput;
import dev.tollgate.policy.engine.RunGrants;
import dev.tollgate.policy.limits.LimitsDecider;
import dev.tollgate.policy.run.Checks;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Reasons;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import dev.tollgate.policy.state.RunStatus;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Run admission: identity (unknown, disabled), then kill switches (global, tenant, agent), then the bundle's
 * {@code runs}, first match wins, then the tenant's runs and cost of the day (limits). Emits {@code RunAdmitted}
 * with the grants (a requested budget only narrows them)
 * or {@code RunRejected} with reasons. Pure: no Kafka, no clock.
 */
public final class AdmissionDecider {

    private AdmissionDecider() {
    }

    public static Decision decide(RunState state, Command command, RequestRun request, PolicyContext context) {
        CompiledBundle bundle = context.bundle().orElse(null);
        Optional<Reason> identity = Checks.identity(context, command.getPrincipalId());
        if (identity.isPresent()) {
            return reject(bundle, request, List.of(identity.get()));
        }
        List<Reason> killSwitches = Checks.killSwitches(context, command.getTenantId(), command.getPrincipalId(),
                command.getRunId());
        if (!killSwitches.isEmpty()) {
            return reject(bundle, request, killSwitches);
        }
        if (bundle == null) {
            return reject(null, request, List.of(Reasons.of(ReasonCode.POLICY_ERROR, "policy",
                    "no policy bundle is in force")));
        }
        JsonNode input;
        try {
            input = CanonicalJson.parse(request.getInputJson());
        } catch (IllegalArgumentException e) {
            return reject(bundle, request, List.of(Reasons.of(ReasonCode.COMMAND_INVALID, "input",
                    "run input is not JSON: " + e.getMessage())));
        }
        PolicyInput facts = new PolicyInput(
                Checks.principal(context, command.getPrincipalId(), command.getTenantId()),
                new PolicyInput.Run(command.getRunId(), request.getWorkflow(), request.getEnvironment(),
                        request.getClassification(), "", 0, 0, 0, CelValues.fromJson(input)),
                null, null, command.getIssuedAt());
        CompiledBundle.Admission admission = bundle.admit(facts);
        if (admission.failed()) {
            return reject(bundle, request, List.of(Reasons.of(ReasonCode.POLICY_ERROR, admission.rule().id(),
                    "runs entry " + admission.rule().id() + " failed to evaluate: " + admission.error())));
        }
        if (!admission.matched()) {
            return reject(bundle, request, List.of(Reasons.of(ReasonCode.NO_MATCHING_RULE, null,
                    "no runs entry matched")));
        }
        if (admission.rule().deny()) {
            return reject(bundle, request, List.of(Reasons.of(ReasonCode.DENIED_BY_RULE, admission.rule().id(),
                    "run rejected by runs entry " + admission.rule().id())));
        }
        Optional<Reason> limit = LimitsDecider.admission(bundle.limits(), context, command.getTenantId(),
                command.getIssuedAt());
        if (limit.isPresent()) {
            return reject(bundle, request, List.of(limit.get()));
        }
        RunAdmitted admitted = RunAdmitted.newBuilder()
                .setWorkflow(request.getWorkflow())
                .setEnvironment(request.getEnvironment())
                .setClassification(request.getClassification())
                .setRuleId(admission.rule().id())
                .setGrants(narrow(admission.rule().grants(), request.getBudget()))
                .setInputSha256(CanonicalJson.sha256(request.getInputJson()))
                .build();
        return Decision.of(bundle, new Decided(admitted, null, request.getInputJson()));
    }

    /** A requested budget can only narrow the grants, never widen them. */
    static Grants narrow(RunGrants grants, RunBudget requested) {
        int maxToolCalls = grants.maxToolCalls();
        long cost = grants.costMicros();
        long tokens = grants.tokens();
        if (requested != null) {
            if (requested.getMaxToolCalls() != null && requested.getMaxToolCalls() >= 0) {
                maxToolCalls = Math.min(maxToolCalls, requested.getMaxToolCalls());
            }
            if (requested.getCostMicros() != null && requested.getCostMicros() >= 0) {
                cost = Math.min(cost, requested.getCostMicros());
            }
            if (requested.getTokens() != null && requested.getTokens() >= 0) {
                tokens = Math.min(tokens, requested.getTokens());
            }
        }
        return Grants.newBuilder().setTools(grants.tools()).setMaxToolCalls(maxToolCalls).setCostMicros(cost)
                .setTokens(tokens).setRetentionDays(grants.retentionDays()).build();
    }

    private static Decision reject(CompiledBundle bundle, RequestRun request, List<Reason> reasons) {
        return Decision.of(bundle, Decided.of(RunRejected.newBuilder()
                .setWorkflow(request.getWorkflow())
                .setEnvironment(request.getEnvironment())
                .setClassification(request.getClassification())
                .setReasons(reasons)
                .build()));
    }

    /** The run state after an admission event; {@code stateOnly} is the run input of an admitted run. */
    public static RunState evolve(RunState state, SpecificRecord payload, String stateOnly) {
        if (payload instanceof RunAdmitted admitted) {
            Grants grants = admitted.getGrants();
            RunState next = RunStates.copyOf(state);
            next.setStatus(RunStatus.ACTIVE);
            next.setWorkflow(admitted.getWorkflow());
            next.setEnvironment(admitted.getEnvironment());
            next.setClassification(admitted.getClassification());
            next.setAdmittedBy(admitted.getRuleId());
            next.setGrantedTools(grants.getTools());
            next.setMaxToolCalls(grants.getMaxToolCalls());
            next.setBudgetCostMicros(grants.getCostMicros());
            next.setBudgetTokens(grants.getTokens());
            next.setRetentionDays(grants.getRetentionDays());
            if (stateOnly != null) {
                next.setInputJson(stateOnly);
            }
            return next;
        }
        if (payload instanceof RunRejected rejected) {
            RunState next = RunStates.copyOf(state);
            next.setStatus(RunStatus.REJECTED);
            next.setWorkflow(rejected.getWorkflow());
            next.setEnvironment(rejected.getEnvironment());
            next.setClassification(rejected.getClassification());
            return next;
        }
        return state;
    }
}

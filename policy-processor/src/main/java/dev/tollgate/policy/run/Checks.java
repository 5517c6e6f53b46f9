package dev.tollgate.policy.run;

import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.policy.engine.PolicyInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Checks shared by run admission and tool-call decisions: identity and kill switches. */
public final class Checks {

    private Checks() {
    }

    /** IDENTITY_UNKNOWN or IDENTITY_DISABLED, or empty when the principal may act. */
    public static Optional<Reason> identity(PolicyContext context, String principalId) {
        Optional<Identity> identity = context.identity(principalId);
        if (identity.isEmpty()) {
            return Optional.of(Reasons.of(ReasonCode.IDENTITY_UNKNOWN, "identity", "principal " + principalId
                    + " is not a known identity"));
        }
        if (!identity.get().getEnabled()) {
            return Optional.of(Reasons.of(ReasonCode.IDENTITY_DISABLED, "identity", "principal " + principalId
                    + " is disabled"));
        }
        return Optional.empty();
    }

    /** One KILL_SWITCH reason per engaged switch among global, tenant, agent and (when given) run scopes. */
    public static List<Reason> killSwitches(PolicyContext context, String tenantId, String principalId,
                                            String runId) {
        List<String> keys = new ArrayList<>(List.of("global", "tenant:" + tenantId, "agent:" + principalId));
        if (runId != null) {
            keys.add("run:" + runId);
        }
        List<Reason> reasons = new ArrayList<>();
        for (String key : keys) {
            Optional<KillSwitch> killSwitch = context.killSwitch(key);
            if (killSwitch.isPresent() && killSwitch.get().getEngaged()) {
                String why = killSwitch.get().getReason();
                reasons.add(Reasons.of(ReasonCode.KILL_SWITCH, "kill-switch:" + key, "kill switch " + key
                        + " is engaged" + (why == null || why.isBlank() ? "" : ": " + why)));
            }
        }
        return reasons;
    }

    /** The {@code principal} variable, from the identity (its tenant and roles, never the request's). */
    public static PolicyInput.Principal principal(PolicyContext context, String principalId, String tenantId) {
        return context.identity(principalId)
                .map(i -> new PolicyInput.Principal(i.getPrincipalId(), i.getKind().name().toLowerCase(Locale.ROOT),
                        i.getTenantId(), i.getRoles()))
                .orElse(new PolicyInput.Principal(principalId, "unspecified", tenantId, List.of()));
    }
}

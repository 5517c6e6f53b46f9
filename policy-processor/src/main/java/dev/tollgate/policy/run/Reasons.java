package dev.tollgate.policy.run;

import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import java.util.List;

/** Builds {@link Reason}s: a stable code, the rule or check that said so, a message and steering. */
public final class Reasons {

    private Reasons() {
    }

    public static Reason of(ReasonCode code, String ruleId, String message) {
        return of(code, ruleId, message, List.of());
    }

    public static Reason of(ReasonCode code, String ruleId, String message, List<String> suggest) {
        return Reason.newBuilder().setCode(code).setRuleId(ruleId).setMessage(message == null ? "" : message)
                .setSuggest(List.copyOf(suggest)).build();
    }
}

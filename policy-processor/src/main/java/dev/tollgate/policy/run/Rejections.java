package dev.tollgate.policy.run;

import dev.tollgate.events.Command;
import dev.tollgate.events.CommandRejected;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.policy.engine.CompiledBundle;
import java.util.List;

/** {@code CommandRejected}: a command that could not be applied, with stable reason codes. */
public final class Rejections {

    private Rejections() {
    }

    public static Decision reject(CompiledBundle bundle, Command command, String callId, List<Reason> reasons) {
        return Decision.of(bundle, Decided.of(rejected(command, callId, reasons)));
    }

    public static Decision reject(CompiledBundle bundle, Command command, ReasonCode code, String ruleId,
                                  String message) {
        return reject(bundle, command, callIdOf(command), List.of(Reasons.of(code, ruleId, message)));
    }

    public static CommandRejected rejected(Command command, String callId, List<Reason> reasons) {
        return CommandRejected.newBuilder().setCommandId(command.getCommandId())
                .setCommandType(command.getPayload().getClass().getSimpleName()).setCallId(callId).setReasons(List.copyOf(reasons))
                .build();
    }

    private static String callIdOf(Command command) {
        if (command.getPayload() instanceof RequestToolCall call) {
            return call.getCallId();
        }
        if (command.getPayload() instanceof dev.tollgate.events.DecideApproval approval) {
            return approval.getCallId();
        }
        return null;
    }
}

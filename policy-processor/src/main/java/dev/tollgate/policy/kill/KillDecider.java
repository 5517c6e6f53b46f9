package dev.tollgate.policy.kill;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillRun;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RunHalted;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.run.Decided;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.Reasons;
import dev.tollgate.policy.run.Rejections;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import dev.tollgate.policy.state.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Stopping runs. {@link #guard} halts an active run that an engaged kill switch covers (global, its tenant, its
 * principal, itself) or whose principal's identity was disabled: {@code RunHalted} with KILL_SWITCH or
 * IDENTITY_DISABLED, at the switch's (or identity's) {@code updatedAt} (never before the run's last event), so the
 * event is the same whether the processor's punctuator or the run's next command notices. {@code KillRun} halts one
 * run (RUN_KILLED), from the run's own principal or an enabled admin. A halted run stays halted when the switch is
 * lifted. Pure: no Kafka, no clock.
 */
public final class KillDecider {

    /** The role that may kill any run. */
    public static final String ADMIN_ROLE = "admin";

    private KillDecider() {
    }

    /** The {@code RunHalted} an active run is owed now, if any. */
    public static Optional<Decided> guard(RunState state, PolicyContext context) {
        if (state.getStatus() != RunStatus.ACTIVE) {
            return Optional.empty();
        }
        List<Reason> reasons = new ArrayList<>();
        long at = state.getLastOccurredAt();
        for (String key : scopeKeys(state)) {
            Optional<KillSwitch> killSwitch = context.killSwitch(key);
            if (killSwitch.isPresent() && killSwitch.get().getEngaged()) {
                String why = killSwitch.get().getReason();
                reasons.add(Reasons.of(ReasonCode.KILL_SWITCH, "kill-switch:" + key, "kill switch " + key
                        + " is engaged" + (why == null || why.isBlank() ? "" : ": " + why)));
                at = Math.max(at, killSwitch.get().getUpdatedAt().toEpochMilli());
            }
        }
        Optional<Identity> identity = context.identity(state.getPrincipalId());
        if (identity.isPresent() && !identity.get().getEnabled()) {
            reasons.add(Reasons.of(ReasonCode.IDENTITY_DISABLED, "identity", "principal " + state.getPrincipalId()
                    + " was disabled"));
            at = Math.max(at, identity.get().getUpdatedAt().toEpochMilli());
        }
        if (reasons.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Decided.timer(RunHalted.newBuilder().setReasons(reasons).build(), Instant.ofEpochMilli(at)));
    }

    /** The kill-switch keys that cover a run. */
    public static List<String> scopeKeys(RunState state) {
        return List.of("global", "tenant:" + state.getTenantId(), "agent:" + state.getPrincipalId(),
                "run:" + state.getRunId());
    }

    public static Decision decide(RunState state, Command command, KillRun kill, PolicyContext context) {
        CompiledBundle bundle = context.bundle().orElse(null);
        boolean owner = command.getPrincipalId().equals(state.getPrincipalId());
        boolean admin = context.identity(command.getPrincipalId())
                .filter(Identity::getEnabled).map(i -> i.getRoles().contains(ADMIN_ROLE)).orElse(false);
        if (!owner && !admin) {
            return Rejections.reject(bundle, command, ReasonCode.PRINCIPAL_MISMATCH, "run",
                    "only the run's principal or an admin may kill run " + state.getRunId());
        }
        String why = kill.getReason() == null || kill.getReason().isBlank() ? "" : ": " + kill.getReason();
        return Decision.of(bundle, Decided.of(RunHalted.newBuilder().setReasons(List.of(Reasons.of(
                ReasonCode.RUN_KILLED, "kill-run", "run killed by " + command.getPrincipalId() + why))).build()));
    }

    /** A halted run keeps the first reason it was halted for; its held calls are abandoned. */
    public static RunState evolve(RunState state, SpecificRecord payload) {
        if (!(payload instanceof RunHalted halted)) {
            return state;
        }
        RunState next = RunStates.copyOf(state);
        next.setStatus(RunStatus.HALTED);
        if (!halted.getReasons().isEmpty()) {
            next.setHaltCode(halted.getReasons().get(0).getCode().name());
            next.setHaltMessage(halted.getReasons().get(0).getMessage());
        }
        return next;
    }

    /** Why a command for a halted run is refused: the halt's own reason (KILL_SWITCH, BUDGET_EXHAUSTED, ...). */
    public static Reason haltReason(RunState state) {
        ReasonCode code;
        try {
            code = ReasonCode.valueOf(state.getHaltCode());
        } catch (IllegalArgumentException e) {
            code = ReasonCode.RUN_NOT_ACTIVE;
        }
        return Reasons.of(code, "run", "run " + state.getRunId() + " is halted: " + state.getHaltMessage());
    }
}

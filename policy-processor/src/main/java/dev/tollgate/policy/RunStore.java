package dev.tollgate.policy;

import dev.tollgate.policy.state.CallState;
import dev.tollgate.policy.state.CallStatus;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How the processor keeps a run's {@link RunState} so that a decision costs the same on a run's 200th call as on
 * its first. The deciders fold one {@link RunState} holding every call and the answered command ids; storing that
 * whole record on every decision made each decision rewrite (and re-read, and copy) the whole run. Instead:
 *
 * <ul>
 *   <li>{@code run-state-store} (runId) holds the run's counters, head hash and seq, and only its HELD calls (a run
 *   has few; the expiry timers scan them);</li>
 *   <li>{@code run-call-store} ({@code runId/callId}) holds every other call (approved, completed, denied, expired);
 *   </li>
 *   <li>{@code run-command-store} ({@code runId/commandId}) remembers every command id the run answered.</li>
 * </ul>
 *
 * {@link #load} gives the deciders the run as they would have folded it as far as the command at hand can tell: the
 * run's record plus the one call and the one command id the command names. {@link #save} writes only what the
 * decision changed. Records written before this split (every call and up to 256 ids inline) are read as they are
 * and moved out on their first save. A difference from the pure fold: the processor remembers every answered
 * command id of a run, not only the last {@value dev.tollgate.policy.run.RunDecider#REMEMBERED_COMMANDS}, so a
 * very late duplicate still has no second effect.
 */
final class RunStore {

    private final KeyValueStore<String, RunState> runs;
    private final KeyValueStore<String, CallState> calls;
    private final KeyValueStore<String, String> commands;

    RunStore(KeyValueStore<String, RunState> runs, KeyValueStore<String, CallState> calls,
             KeyValueStore<String, String> commands) {
        this.runs = runs;
        this.calls = calls;
        this.commands = commands;
    }

    /**
     * A run as loaded.
     *
     * @param stored the run's record in {@code run-state-store}, or null
     * @param view   what the deciders fold: the record plus the named call and command id, or null
     */
    record Loaded(RunState stored, RunState view) {
    }

    /**
     * The run as the deciders need it for a command or result naming {@code callId} and {@code commandId} (either
     * may be null).
     */
    Loaded load(String runId, String callId, String commandId) {
        RunState stored = runs.get(runId);
        if (stored == null) {
            return new Loaded(null, null);
        }
        RunState view = stored;
        if (callId != null && !stored.getCalls().containsKey(callId)) {
            CallState call = calls.get(key(runId, callId));
            if (call != null) {
                Map<String, CallState> withCall = new HashMap<>(stored.getCalls());
                withCall.put(callId, call);
                view = RunStates.copyOf(view);
                view.setCalls(withCall);
            }
        }
        if (commandId != null && !stored.getProcessedCommandIds().contains(commandId)
                && commands.get(key(runId, commandId)) != null) {
            List<String> ids = new ArrayList<>(stored.getProcessedCommandIds());
            ids.add(commandId);
            view = view == stored ? RunStates.copyOf(view) : view;
            view.setProcessedCommandIds(ids);
        }
        return new Loaded(stored, view);
    }

    /** Writes the run after a decision: {@code before} is what {@link #load} gave, {@code after} the fold. */
    void save(String runId, Loaded before, RunState after) {
        Map<String, CallState> wereInline = before.stored() == null ? Map.of() : before.stored().getCalls();
        Map<String, CallState> known = before.view() == null ? Map.of() : before.view().getCalls();
        Map<String, CallState> held = new HashMap<>();
        for (Map.Entry<String, CallState> entry : after.getCalls().entrySet()) {
            CallState call = entry.getValue();
            if (call.getStatus() == CallStatus.HELD) {
                held.put(entry.getKey(), call);
            } else if (wereInline.containsKey(entry.getKey()) || !call.equals(known.get(entry.getKey()))) {
                calls.put(key(runId, entry.getKey()), call);
            }
        }
        boolean legacyIds = before.stored() != null && !before.stored().getProcessedCommandIds().isEmpty();
        Set<String> answered = before.view() == null ? Set.of()
                : new HashSet<>(before.view().getProcessedCommandIds());
        for (String commandId : after.getProcessedCommandIds()) {
            if (legacyIds || !answered.contains(commandId)) {
                commands.put(key(runId, commandId), "");
            }
        }
        RunState record = RunStates.copyOf(after);
        record.setCalls(held);
        record.setProcessedCommandIds(List.of());
        runs.put(runId, record);
    }

    private static String key(String runId, String id) {
        return runId + "/" + id;
    }
}

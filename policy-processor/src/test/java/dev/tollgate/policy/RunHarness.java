package dev.tollgate.policy;

import dev.tollgate.events.Command;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.policy.decide.ArtifactAwareContext;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.decide.RunDecider;
import dev.tollgate.policy.decide.RunLedger;
import dev.tollgate.policy.state.RunState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Given prior commands, when a command, then these events: the deciders and the ledger without Kafka. */
public final class RunHarness {

    private final Map<String, RunState> states = new HashMap<>();
    private final List<LedgerEvent> ledger = new ArrayList<>();
    private final List<ToolCallDispatch> dispatches = new ArrayList<>();
    private ArtifactAwareContext context;

    public RunHarness(PolicyContext context) {
        this.context = new ArtifactAwareContext(context);
    }

    /** Decides from now on with another context (the artifacts recorded so far are forgotten). */
    public RunHarness context(PolicyContext next) {
        this.context = new ArtifactAwareContext(next);
        return this;
    }

    /** The timer events owed to a run at {@code now} (what the processor's punctuator would append). */
    public List<SpecificRecord> timers(String runId, java.time.Instant now) {
        Decision decision = RunDecider.timers(states.get(runId), now, context);
        return append(runId, new RunLedger.Envelope("", "", now, null, null), decision);
    }

    public RunHarness given(Command... commands) {
        for (Command command : commands) {
            when(command);
        }
        return this;
    }

    /** The payloads the command appended (empty when it had no effect). */
    public List<SpecificRecord> when(Command command) {
        RunState state = states.get(command.getRunId());
        Decision decision = RunDecider.decide(state, command, context);
        return append(command.getRunId(), RunLedger.Envelope.of(command), decision);
    }

    public List<SpecificRecord> when(ToolCallResult result) {
        RunState state = states.get(result.getRunId());
        Decision decision = RunDecider.decide(state, result, context);
        return append(result.getRunId(), new RunLedger.Envelope("", "", result.getFinishedAt(), null, null),
                decision);
    }

    /** The single payload the command appended, of the given type. */
    public <T> T single(Command command, Class<T> type) {
        List<SpecificRecord> events = when(command);
        if (events.size() != 1 || !type.isInstance(events.get(0))) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", got " + events);
        }
        return type.cast(events.get(0));
    }

    private List<SpecificRecord> append(String runId, RunLedger.Envelope envelope, Decision decision) {
        RunLedger.Appended appended = RunLedger.append(states.get(runId), runId, envelope, decision);
        context.remember(appended);
        if (!decision.isEmpty()) {
            states.put(runId, appended.state());
        }
        List<SpecificRecord> payloads = new ArrayList<>();
        for (RunLedger.Entry entry : appended.entries()) {
            ledger.add(entry.event());
            payloads.add((SpecificRecord) entry.event().getPayload());
            if (entry.dispatch() != null) {
                dispatches.add(entry.dispatch());
            }
        }
        return payloads;
    }

    public RunState state(String runId) {
        return states.get(runId);
    }

    public List<LedgerEvent> ledger() {
        return ledger;
    }

    public List<ToolCallDispatch> dispatches() {
        return dispatches;
    }
}

package dev.tollgate.policy.diff;

import dev.tollgate.events.Command;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.decide.ArtifactAwareContext;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.Outcome;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.decide.RunDecider;
import dev.tollgate.policy.decide.RunLedger;
import dev.tollgate.policy.run.StaticPolicyContext;
import dev.tollgate.policy.state.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Policy backtesting ({@code tollgate policy diff}): replays recorded commands and tool results, in order, through
 * the same deciders twice, once under the bundle in force and once under a candidate, each with its own run state
 * rebuilt as it goes (so a run admitted under one and rejected under the other diverges from there on), with the
 * identities and kill switches as they are now. Lists every RequestRun and RequestToolCall whose decision
 * differs. Pure: the CLI reads the topics.
 */
public final class PolicyDiff {

    /**
     * A decision that would change.
     *
     * @param runId       the run
     * @param commandId   the command re-decided
     * @param commandType RequestRun or RequestToolCall
     * @param callId      the call, for tool calls
     * @param issuedAt    when the command was issued
     * @param current     the decision under the bundle in force
     * @param candidate   the decision under the candidate bundle
     */
    public record Change(String runId, String commandId, String commandType, String callId, Instant issuedAt,
                         Outcome current, Outcome candidate) {
    }

    /**
     * The diff and how many decisions were compared.
     *
     * @param compared decisions compared
     * @param changes  the ones that differ
     */
    public record Report(int compared, List<Change> changes) {
    }

    private PolicyDiff() {
    }

    /**
     * @param inputs    commands and tool results in the order they were recorded
     * @param current   the context with the bundle in force (may have none)
     * @param candidate the bundle to try
     * @param from      only commands issued at or after this instant are compared (all are replayed), or null
     */
    public static Report diff(List<Object> inputs, StaticPolicyContext current, CompiledBundle candidate,
                              Instant from) {
        Replay before = new Replay(current);
        Replay after = new Replay(current.withBundle(candidate));
        List<Change> changes = new ArrayList<>();
        int compared = 0;
        for (Object input : inputs) {
            if (input instanceof Command command) {
                Outcome was = before.apply(command);
                Outcome would = after.apply(command);
                boolean decision = command.getPayload() instanceof RequestRun
                        || command.getPayload() instanceof RequestToolCall;
                if (!decision || was == null || would == null
                        || (from != null && command.getIssuedAt().isBefore(from))) {
                    continue;
                }
                compared++;
                if (!was.decision().equals(would.decision()) || !was.codes().equals(would.codes())
                        || !was.rules().equals(would.rules())) {
                    String callId = command.getPayload() instanceof RequestToolCall call ? call.getCallId() : null;
                    changes.add(new Change(command.getRunId(), command.getCommandId(),
                            RunDecider.typeOf(command), callId, command.getIssuedAt(), was, would));
                }
            } else if (input instanceof ToolCallResult result) {
                before.apply(result);
                after.apply(result);
            }
        }
        return new Report(compared, changes);
    }

    /** One replay: run states under one context. */
    private static final class Replay {

        private final ArtifactAwareContext context;
        private final Map<String, RunState> runs = new HashMap<>();

        Replay(PolicyContext context) {
            this.context = new ArtifactAwareContext(context);
        }

        Outcome apply(Command command) {
            RunState state = runs.get(command.getRunId());
            Decision decision = RunDecider.decide(state, command, context);
            if (decision.isEmpty()) {
                return null;
            }
            RunLedger.Appended appended = RunLedger.append(state, command.getRunId(), RunLedger.Envelope.of(command),
                    decision);
            context.remember(appended);
            runs.put(command.getRunId(), appended.state());
            // Timer events a command brings due (an expiry, a halt) come first; the answer is the command's own.
            return Outcome.of(decision.events().stream().filter(d -> d.timerAt() == null).findFirst()
                    .orElse(decision.events().get(0)).payload());
        }

        void apply(ToolCallResult result) {
            RunState state = runs.get(result.getRunId());
            Decision decision = RunDecider.decide(state, result, context);
            if (!decision.isEmpty()) {
                runs.put(result.getRunId(), RunLedger.append(state, result.getRunId(),
                        new RunLedger.Envelope("", "", result.getFinishedAt(), null, null), decision).state());
            }
        }
    }
}

package dev.tollgate.policy;

import dev.tollgate.events.Command;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyCompileException;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.run.RunDecider;
import dev.tollgate.policy.run.RunLedger;
import dev.tollgate.policy.state.RunState;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processor API glue of the run: commands and tool results of a run arrive here in order (both topics are keyed
 * by runId and co-partitioned), the run's deciders decide, the ledger numbers and chains the events, the state is
 * written to {@code run-state-store} and the events forwarded to the ledger sink (with the {@code tollgate-hash}
 * header) and, for approvals, the dispatch sink. Under exactly_once_v2 the state write, the ledger and the
 * dispatch commit together or not at all.
 */
final class RunProcessor implements Processor<String, Object, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(RunProcessor.class);

    private final String bundleName;
    private final BundleCache cache;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, RunState> runs;
    private PolicyContext policyContext;
    private CompiledBundle lastGood;

    RunProcessor(String bundleName, BundleCache cache) {
        this.bundleName = bundleName;
        this.cache = cache;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.runs = context.getStateStore(PolicyTopology.RUN_STATE_STORE);
        KeyValueStore<String, PolicyBundle> policies = context.getStateStore(PolicyTopology.POLICY_STORE);
        KeyValueStore<String, Identity> identities = context.getStateStore(PolicyTopology.IDENTITY_STORE);
        KeyValueStore<String, KillSwitch> killSwitches = context.getStateStore(PolicyTopology.KILL_SWITCH_STORE);
        this.policyContext = new PolicyContext() {
            @Override
            public Optional<CompiledBundle> bundle() {
                return Optional.ofNullable(bundleInForce(policies.get(bundleName)));
            }

            @Override
            public Optional<Identity> identity(String principalId) {
                return Optional.ofNullable(identities.get(principalId));
            }

            @Override
            public Optional<KillSwitch> killSwitch(String scopeKey) {
                return Optional.ofNullable(killSwitches.get(scopeKey));
            }
        };
    }

    private CompiledBundle bundleInForce(PolicyBundle stored) {
        if (stored == null) {
            return lastGood;
        }
        try {
            lastGood = cache.compiled(stored);
        } catch (PolicyCompileException e) {
            // The loader stores only bundles that compiled; keep the previous one if this ever happens.
            LOG.error("Stored policy bundle {} does not compile; keeping the previous one", bundleName);
        }
        return lastGood;
    }

    @Override
    public void process(Record<String, Object> record) {
        Object value = record.value();
        if (value instanceof Command command) {
            requireKey(record.key(), command.getRunId());
            RunState state = runs.get(command.getRunId());
            Decision decision = RunDecider.decide(state, command, policyContext);
            if (decision.isEmpty()) {
                LOG.debug("Run {}: command {} already answered, no second effect", command.getRunId(),
                        command.getCommandId());
                return;
            }
            append(command.getRunId(), state, RunLedger.Envelope.of(command), decision);
        } else if (value instanceof ToolCallResult result) {
            requireKey(record.key(), result.getRunId());
            RunState state = runs.get(result.getRunId());
            Decision decision = RunDecider.decide(state, result, policyContext);
            if (decision.isEmpty()) {
                LOG.info("Run {}: result for call {} is not awaited (duplicate or unknown call), no effect",
                        result.getRunId(), result.getCallId());
                return;
            }
            append(result.getRunId(), state, new RunLedger.Envelope("", "", result.getFinishedAt(), null, null),
                    decision);
        } else if (value != null) {
            throw new IllegalArgumentException("unexpected record type " + value.getClass().getName());
        }
    }

    private void append(String runId, RunState state, RunLedger.Envelope envelope, Decision decision) {
        RunLedger.Appended appended = RunLedger.append(state, runId, envelope, decision);
        runs.put(runId, appended.state());
        for (RunLedger.Entry entry : appended.entries()) {
            long timestamp = entry.event().getOccurredAt().toEpochMilli();
            RecordHeaders headers = new RecordHeaders();
            headers.add(LedgerHash.HEADER, entry.hash().getBytes(StandardCharsets.UTF_8));
            context.forward(new Record<String, Object>(runId, entry.event(), timestamp, headers),
                    PolicyTopology.APPEND_LEDGER);
            if (entry.dispatch() != null) {
                context.forward(new Record<String, Object>(runId, entry.dispatch(), timestamp, new RecordHeaders()),
                        PolicyTopology.EMIT_DISPATCH);
            }
            LOG.debug("Run {}: seq {} {}", runId, entry.event().getSeq(),
                    entry.event().getPayload().getClass().getSimpleName());
        }
    }

    private static void requireKey(String key, String runId) {
        if (key == null || !key.equals(runId)) {
            throw new IllegalArgumentException("record key " + key + " is not the runId " + runId
                    + ": the record would be decided in the wrong partition");
        }
    }
}

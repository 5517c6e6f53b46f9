package dev.tollgate.policy;

import dev.tollgate.events.ArtifactContent;
import dev.tollgate.events.Command;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.auth.KeyRing;
import dev.tollgate.events.auth.Proofs;
import dev.tollgate.events.dlq.DeadLetters;
import dev.tollgate.events.hash.LedgerHash;
import dev.tollgate.events.logging.RunLogContext;
import dev.tollgate.events.metrics.ServiceMeters;
import dev.tollgate.events.serde.WireFormat;
import dev.tollgate.events.tracing.Tracing;
import dev.tollgate.policy.auth.CommandAuthenticator;
import dev.tollgate.policy.engine.CompiledBundle;
import dev.tollgate.policy.engine.PolicyCompileException;
import dev.tollgate.policy.limits.LimitsDecider;
import dev.tollgate.policy.run.Decision;
import dev.tollgate.policy.run.PolicyContext;
import dev.tollgate.policy.decide.RunDecider;
import dev.tollgate.policy.decide.RunLedger;
import dev.tollgate.policy.run.Reasons;
import dev.tollgate.policy.state.CallState;
import dev.tollgate.policy.state.CallStatus;
import dev.tollgate.policy.state.LimitUsage;
import dev.tollgate.policy.state.RunState;
import dev.tollgate.policy.state.RunStatus;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processor API glue of the run: commands and tool results of a run arrive here in order (both topics are keyed
 * by runId and co-partitioned), the run's deciders decide, the ledger numbers and chains the events, the state is
 * written through {@link RunStore} ({@code run-state-store}, {@code run-call-store}, {@code run-command-store}) and
 * the events forwarded to the ledger sink (with the {@code tollgate-hash}
 * header), approvals to the dispatch sink, artifact contents to the artifacts sink (and {@code artifact-content-store},
 * which the gates read), and tenant/agent usage deltas to the limit-facts repartition. Under exactly_once_v2 all of
 * it commits together or not at all.
 *
 * <p>A wall-clock punctuator runs the runs' timers without waiting for a command: held calls past their expiry (plus
 * a grace) from {@code approval-expiry-store}, an index ordered by expiry, and, whenever the identity or kill-switch
 * global stores changed, every active run of {@code active-run-store} against them. The events it appends carry their
 * own event time (the expiry, the switch's update), never the wall clock, so a replay records the same ones.
 */
final class RunProcessor implements Processor<String, Object, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(RunProcessor.class);
    private static final Duration IDENTITY_POLL = Duration.ofMillis(20);
    /** The signer named on every dispatch proof. */
    static final String DISPATCH_SIGNER = "policy-processor";
    /** W3C trace context as a record header (the ledger event's traceparent), on the ledger and dispatch records. */
    static final String TRACEPARENT = "traceparent";

    private final String bundleName;
    private final BundleCache cache;
    private final GlobalChanges changes;
    private final long timersIntervalMs;
    private final long graceMs;
    private final long maxArtifactBytes;
    private final IntSupplier ledgerSchema;
    private final CommandAuthenticator authenticator;
    private final KeyRing dispatchKeys;
    private int ledgerSchemaId;
    private Sensor refused;
    private ProcessorContext<String, Object> context;
    private RunStore runs;
    private KeyValueStore<String, String> activeRuns;
    private KeyValueStore<String, String> expiries;
    private KeyValueStore<String, String> artifacts;
    private PolicyContext policyContext;
    private CompiledBundle lastGood;
    private long scannedVersion = -1;
    private DecisionMeters meters;
    private Tracing tracing;
    private final Duration identityWait;

    RunProcessor(PolicyProcessorConfig config, BundleCache cache, GlobalChanges changes, IntSupplier ledgerSchema,
                 CommandAuthenticator authenticator, KeyRing dispatchKeys) {
        this.ledgerSchema = ledgerSchema;
        this.authenticator = authenticator;
        this.dispatchKeys = dispatchKeys;
        this.bundleName = config.policyBundle();
        this.cache = cache;
        this.changes = changes;
        this.timersIntervalMs = config.timersIntervalMs();
        this.graceMs = config.approvalExpiryGraceMs();
        this.maxArtifactBytes = config.artifactMaxBytes();
        this.identityWait = config.commandIdentityWait();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.meters = new DecisionMeters(ServiceMeters.from(context.appConfigs()));
        this.tracing = Tracing.fromConfigs(context.appConfigs());
        this.ledgerSchemaId = ledgerSchema.getAsInt();
        this.runs = new RunStore(context.getStateStore(PolicyTopology.RUN_STATE_STORE),
                context.getStateStore(PolicyTopology.RUN_CALL_STORE),
                context.getStateStore(PolicyTopology.RUN_COMMAND_STORE));
        this.activeRuns = context.getStateStore(PolicyTopology.ACTIVE_RUN_STORE);
        this.expiries = context.getStateStore(PolicyTopology.APPROVAL_EXPIRY_STORE);
        this.artifacts = context.getStateStore(PolicyTopology.ARTIFACT_CONTENT_STORE);
        KeyValueStore<String, PolicyBundle> policies = context.getStateStore(PolicyTopology.POLICY_STORE);
        KeyValueStore<String, Identity> identities = context.getStateStore(PolicyTopology.IDENTITY_STORE);
        KeyValueStore<String, KillSwitch> killSwitches = context.getStateStore(PolicyTopology.KILL_SWITCH_STORE);
        KeyValueStore<String, LimitUsage> limitUsage = context.getStateStore(PolicyTopology.LIMIT_USAGE_STORE);
        this.policyContext = new PolicyContext() {
            @Override
            public Optional<CompiledBundle> bundle() {
                // Published by the loader as it stores the bundle: no store read, no decoding of the YAML.
                CompiledBundle published = cache.inForce(bundleName);
                return Optional.ofNullable(published != null ? published : bundleInForce(policies.get(bundleName)));
            }

            @Override
            public Optional<Identity> identity(String principalId) {
                return Optional.ofNullable(identities.get(principalId));
            }

            @Override
            public Optional<KillSwitch> killSwitch(String scopeKey) {
                return Optional.ofNullable(killSwitches.get(scopeKey));
            }

            @Override
            public Optional<LimitUsage> limitUsage(String windowKey) {
                return Optional.ofNullable(limitUsage.get(windowKey));
            }

            @Override
            public Optional<String> artifactContent(String sha256) {
                return Optional.ofNullable(artifacts.get(sha256));
            }

            @Override
            public long maxArtifactBytes() {
                return maxArtifactBytes;
            }
        };
        this.refused = context.metrics().addRateTotalSensor("tollgate-policy-processor", "commands", "refused",
                Sensor.RecordingLevel.INFO);
        context.schedule(Duration.ofMillis(timersIntervalMs), PunctuationType.WALL_CLOCK_TIME, this::timers);
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

    /**
     * Intake answers 201 for a new identity once {@code tollgate.identities.v1} has it, but this processor's global
     * copy may take a moment longer than the commands topic, so the principal's first command can arrive first. A
     * command intake attested (its principal exists) waits here, at most {@code command.identity.wait.ms}, for the
     * global thread to bring the identity in; anything else is checked at once.
     */
    private void awaitAttestedIdentity(Command command) {
        String principalId = command.getPrincipalId();
        if (identityWait.isZero() || policyContext.identity(principalId).isPresent()
                || !authenticator.attestedByIntake(command)) {
            return;
        }
        long deadline = System.nanoTime() + identityWait.toNanos();
        while (policyContext.identity(principalId).isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(IDENTITY_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.info("Run {}: principal {} of command {} {} after waiting for the identities topic", command.getRunId(),
                principalId, command.getCommandId(),
                policyContext.identity(principalId).isPresent() ? "arrived" : "still unknown");
    }

    @Override
    public void process(Record<String, Object> record) {
        Object value = record.value();
        if (value instanceof Command command) {
            requireKey(record.key(), command.getRunId());
            // The span is the decision's; the ledger keeps the command's own traceparent (same bytes on replay).
            String runId = command.getRunId();
            try (RunLogContext ignored = RunLogContext.of(runId, command.getTraceparent());
                 Tracing.Step span = tracing.start("decide " + command.getPayload().getClass().getSimpleName(),
                         SpanKind.CONSUMER, command.getTraceparent())) {
                span.attribute("tollgate.run_id", runId);
                // Authentication comes before any decider: a command that cannot be attributed decides nothing.
                RunStore.Loaded state = runs.load(runId, callIdOf(command), command.getCommandId());
                awaitAttestedIdentity(command);
                Instant recordTime = Instant.ofEpochMilli(record.timestamp());
                Optional<CommandAuthenticator.Failure> failure = authenticator.check(command, recordTime,
                        policyContext);
                boolean requested = RunDecider.requested(state.view());
                if (failure.isPresent()) {
                    refused.record();
                    LOG.warn("Run {}: command {} refused before any decision: {}", runId, command.getCommandId(),
                            failure.get().reason().getCode());
                    if (!requested) {
                        deadLetter(record, command, failure.get().reason());
                        return;
                    }
                    Decision rejection = RunDecider.unattributed(state.view(), command, failure.get().reason(),
                            recordTime, policyContext);
                    append(runId, state, new RunLedger.Envelope("", failure.get().actor(), recordTime, null,
                            command.getTraceparent()), rejection, record.timestamp());
                    return;
                }
                if (!requested && !(command.getPayload() instanceof RequestRun)) {
                    // Ownership comes only from admission: a command cannot create a run, not even a rejected one.
                    refused.record();
                    LOG.info("Run {}: {} for a run that was never requested, to the DLQ", runId,
                            RunDecider.typeOf(command));
                    deadLetter(record, command, Reasons.of(ReasonCode.RUN_NOT_ACTIVE, "run", "run " + runId
                            + " was never requested; a command creates no run"));
                    return;
                }
                Decision decision = RunDecider.decide(state.view(), command, policyContext);
                if (decision.isEmpty()) {
                    LOG.debug("Run {}: command {} already answered, no second effect", runId,
                            command.getCommandId());
                    return;
                }
                append(runId, state, RunLedger.Envelope.of(command), decision, record.timestamp());
            }
        } else if (value instanceof ToolCallResult result) {
            requireKey(record.key(), result.getRunId());
            String traceparent = header(record, TRACEPARENT);
            try (RunLogContext ignored = RunLogContext.of(result.getRunId(), traceparent);
                 Tracing.Step span = tracing.start("complete " + result.getTool(), SpanKind.CONSUMER, traceparent)) {
                span.attribute("tollgate.run_id", result.getRunId()).attribute("tollgate.status",
                        result.getStatus().name());
                RunStore.Loaded state = runs.load(result.getRunId(), result.getCallId(), null);
                Decision decision = RunDecider.decide(state.view(), result, policyContext);
                if (decision.isEmpty()) {
                    LOG.info("Run {}: result for call {} is not awaited (duplicate or unknown call), no effect",
                            result.getRunId(), result.getCallId());
                    return;
                }
                append(result.getRunId(), state, new RunLedger.Envelope("", "", result.getFinishedAt(), null,
                        traceparent), decision, -1);
            }
        } else if (value != null) {
            throw new IllegalArgumentException("unexpected record type " + value.getClass().getName());
        }
    }

    /** The wall-clock punctuation: expiries due (minus the grace), then, if a global store changed, kill scans. */
    private void timers(long wallClock) {
        Instant cutoff = Instant.ofEpochMilli(wallClock - graceMs);
        Map<String, List<String>> due = new LinkedHashMap<>();
        try (KeyValueIterator<String, String> it = expiries.range("", expiryKey(cutoff.toEpochMilli(), "\uffff", ""))) {
            while (it.hasNext()) {
                KeyValue<String, String> entry = it.next();
                due.computeIfAbsent(entry.value, k -> new ArrayList<>()).add(entry.key);
            }
        }
        long version = changes.version();
        if (version != scannedVersion) {
            try (KeyValueIterator<String, String> it = activeRuns.all()) {
                while (it.hasNext()) {
                    due.computeIfAbsent(it.next().key, k -> new ArrayList<>());
                }
            }
            scannedVersion = version;
        }
        due.forEach((runId, expiryKeys) -> {
            RunStore.Loaded loaded = runs.load(runId, null, null);
            RunState state = loaded.view();
            Decision decision = RunDecider.timers(state, cutoff, policyContext);
            if (!decision.isEmpty()) {
                LOG.info("Run {}: {} timer event(s)", runId, decision.events().size());
                append(runId, loaded, new RunLedger.Envelope("", "", cutoff, null, null), decision, -1);
                return;
            }
            // Nothing was due after all: drop index entries the run no longer backs, so they are not rescanned.
            Set<String> held = state != null && state.getStatus() == RunStatus.ACTIVE ? held(runId, state) : Set.of();
            expiryKeys.stream().filter(key -> !held.contains(key)).forEach(expiries::delete);
            if (state == null || state.getStatus() != RunStatus.ACTIVE) {
                activeRuns.delete(runId);
            }
        });
    }

    /** A record header as text (the gateway carries the call's traceparent on its result), or null. */
    private static String header(Record<String, Object> record, String name) {
        Header header = record.headers() == null ? null : record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Appends, forwards and counts a decision.
     *
     * @param commandTimestampMs the answered command's record timestamp (decision latency), or -1
     */
    private void append(String runId, RunStore.Loaded state, RunLedger.Envelope envelope, Decision decision,
                        long commandTimestampMs) {
        RunLedger.Appended appended = RunLedger.append(state.view(), runId, envelope, decision);
        runs.save(runId, state, appended.state());
        index(runId, state.view(), appended.state());
        for (RunLedger.Entry entry : appended.entries()) {
            long timestamp = entry.event().getOccurredAt().toEpochMilli();
            RecordHeaders headers = new RecordHeaders();
            headers.add(LedgerHash.HEADER, entry.hash().getBytes(StandardCharsets.UTF_8));
            String traceparent = entry.event().getTraceparent();
            if (traceparent != null) {
                headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
            }
            // The bytes whose hash was taken, framed: serialized once, and the header covers them by construction.
            context.forward(new Record<String, Object>(runId, WireFormat.frame(ledgerSchemaId, entry.body()),
                    timestamp, headers), PolicyTopology.APPEND_LEDGER);
            meters.appended(entry.event(), commandTimestampMs, System.currentTimeMillis());
            if (entry.dispatch() != null) {
                ToolCallDispatch dispatch = Proofs.signHmac(entry.dispatch(), dispatchKeys, DISPATCH_SIGNER);
                RecordHeaders dispatchHeaders = new RecordHeaders();
                if (traceparent != null) {
                    dispatchHeaders.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
                }
                context.forward(new Record<String, Object>(runId, dispatch, timestamp, dispatchHeaders),
                        PolicyTopology.EMIT_DISPATCH);
            }
            ArtifactContent artifact = entry.artifact();
            if (artifact != null) {
                artifacts.put(artifact.getSha256(), artifact.getContent());
                context.forward(new Record<String, Object>(artifact.getSha256(), artifact, timestamp,
                        new RecordHeaders()), PolicyTopology.STORE_ARTIFACT);
            }
            for (LimitUsage fact : LimitsDecider.facts(entry.event())) {
                context.forward(new Record<String, Object>(LimitsDecider.key(fact), fact, timestamp,
                        new RecordHeaders()), PolicyTopology.PUBLISH_LIMIT_FACTS);
            }
            LOG.debug("Run {}: seq {} {}", runId, entry.event().getSeq(),
                    entry.event().getPayload().getClass().getSimpleName());
        }
    }

    /**
     * A command that may not touch any run's chain (it was never requested): to {@code tollgate.dlq.v1} with its
     * bytes, the stable code in {@code tollgate.dlq.reason.code} and the message in {@code tollgate.dlq.reason}.
     */
    private void deadLetter(Record<String, Object> record, Command command, Reason reason) {
        Optional<RecordMetadata> source = context.recordMetadata();
        Headers headers = DeadLetters.headers(PolicyProcessorConfig.APPLICATION_ID, "authentication",
                source.map(RecordMetadata::topic).orElse(""), source.map(RecordMetadata::partition).orElse(-1),
                source.map(RecordMetadata::offset).orElse(-1L), record.headers(),
                reason.getCode() + ": " + reason.getMessage(), reason.getCode().name());
        headers.add(DeadLetters.REASON_CODE, reason.getCode().name().getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<String, Object>(command.getRunId(), command, record.timestamp(), headers),
                PolicyTopology.DEAD_LETTER_COMMANDS);
    }

    /** Keeps the timer indexes in step with the run: active runs, and held calls of active runs by expiry. */
    private void index(String runId, RunState before, RunState after) {
        boolean active = after != null && after.getStatus() == RunStatus.ACTIVE;
        if (active && (before == null || before.getStatus() != RunStatus.ACTIVE)) {
            activeRuns.put(runId, after.getTenantId());
        } else if (!active) {
            activeRuns.delete(runId);
        }
        Set<String> was = held(runId, before);
        Set<String> now = active ? held(runId, after) : Set.of();
        for (String key : was) {
            if (!now.contains(key)) {
                expiries.delete(key);
            }
        }
        for (String key : now) {
            if (!was.contains(key)) {
                expiries.put(key, runId);
            }
        }
    }

    private static Set<String> held(String runId, RunState state) {
        if (state == null) {
            return Set.of();
        }
        Set<String> keys = new HashSet<>();
        for (CallState call : state.getCalls().values()) {
            if (call.getStatus() == CallStatus.HELD) {
                keys.add(expiryKey(call.getExpiresAt(), runId, call.getCallId()));
            }
        }
        return keys;
    }

    /** Expiry first, zero-padded, so a range scan from the start finds every call due. */
    private static String expiryKey(long expiresAt, String runId, String callId) {
        // "%019d/%s/%s" without a Formatter (this runs on every punctuation): 19 digits hold any non-negative long.
        String millis = Long.toString(Math.max(0, expiresAt));
        return "0".repeat(19 - millis.length()) + millis + "/" + runId + "/" + callId;
    }

    /** The call a command names, whose settled state the deciders need beside the run's record. */
    private static String callIdOf(Command command) {
        if (command.getPayload() instanceof RequestToolCall call) {
            return call.getCallId();
        }
        if (command.getPayload() instanceof DecideApproval approval) {
            return approval.getCallId();
        }
        return null;
    }

    private static void requireKey(String key, String runId) {
        if (key == null || !key.equals(runId)) {
            throw new IllegalArgumentException("record key " + key + " is not the runId " + runId
                    + ": the record would be decided in the wrong partition");
        }
    }
}

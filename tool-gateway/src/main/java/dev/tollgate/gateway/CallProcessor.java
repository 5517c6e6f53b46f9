package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.gateway.journal.Journal;
import dev.tollgate.gateway.journal.JournalEntry;
import dev.tollgate.gateway.receipt.ReceiptSigner;
import dev.tollgate.gateway.tools.ArgsInvalidException;
import dev.tollgate.gateway.tools.ArgsValidator;
import dev.tollgate.gateway.tools.ResultTooLargeException;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.ToolDefinitionChangedException;
import dev.tollgate.gateway.tools.ToolException;
import dev.tollgate.gateway.tools.ToolOutcomeUnknownException;
import dev.tollgate.gateway.tools.ToolRegistry;
import dev.tollgate.gateway.tools.ToolUnknownException;
import dev.tollgate.gateway.upstream.UpstreamException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one dispatch into its outcome: consults the journal (a finished call is skipped, a call a previous instance
 * started is reported {@code OUTCOME_UNKNOWN}), re-validates the arguments, has a non-idempotent call's start
 * recorded durably, runs the tool under its deadline, and signs the result.
 *
 * <p><b>Result digests.</b> For {@code SUCCEEDED}, {@code resultJson} is the tool's output in canonical JSON and
 * {@code resultSha256 = CanonicalJson.sha256(resultJson)}. For every other status {@code resultJson} is null and
 * {@code resultSha256} is the digest of {@code {"error": ..., "errorClass": ..., "status": ...}} (canonical JSON,
 * {@code errorClass} omitted when there is none), so the signed receipt covers the error too.
 */
final class CallProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(CallProcessor.class);
    private static final int MAX_ATTEMPTS = 3;

    /** Records a non-idempotent call's start durably before it runs. */
    interface StartGate {
        /** Returns true once the marker is committed; false when the call must not run (partition revoked). */
        boolean started(JournalEntry marker) throws InterruptedException;
    }

    /** What became of a dispatch. */
    record Outcome(Kind kind, ToolCallResult result, JournalEntry finished, boolean startCommitted) {
        enum Kind { RESULT, SKIPPED, DROPPED }

        static Outcome skipped() {
            return new Outcome(Kind.SKIPPED, null, null, false);
        }

        static Outcome dropped() {
            return new Outcome(Kind.DROPPED, null, null, false);
        }
    }

    private final GatewayConfig config;
    private final ToolRegistry tools;
    private final ArgsValidator validator = new ArgsValidator();
    private final ReceiptSigner signer;
    private final Journal journal;
    private final ExecutorService toolThreads;
    private final Clock clock;
    private final MeterRegistry meters;

    CallProcessor(GatewayConfig config, ToolRegistry tools, ReceiptSigner signer, Journal journal,
                  ExecutorService toolThreads, Clock clock) {
        this(config, tools, signer, journal, toolThreads, clock, new CompositeMeterRegistry());
    }

    /** As above, counting calls in {@code tollgate_tool_calls_total} and timing them ({@code meters}). */
    CallProcessor(GatewayConfig config, ToolRegistry tools, ReceiptSigner signer, Journal journal,
                  ExecutorService toolThreads, Clock clock, MeterRegistry meters) {
        this.meters = meters;
        this.config = config;
        this.tools = tools;
        this.signer = signer;
        this.journal = journal;
        this.toolThreads = toolThreads;
        this.clock = clock;
    }

    Outcome process(ToolCallDispatch dispatch, StartGate gate) throws InterruptedException {
        return process(dispatch, gate, dispatch.getTraceparent());
    }

    /** As above; {@code traceparent} (the execution span's) is passed on to the tool and from it to upstreams. */
    Outcome process(ToolCallDispatch dispatch, StartGate gate, String traceparent) throws InterruptedException {
        String runId = dispatch.getRunId();
        String callId = dispatch.getCallId();
        Optional<JournalEntry> known = journal.lookup(runId, callId);
        if (known.isPresent() && known.get().state() == JournalEntry.State.FINISHED) {
            LOG.info("duplicate dispatch skipped: runId={} callId={} already finished", runId, callId);
            return Outcome.skipped();
        }
        if (known.isPresent()) {
            JournalEntry started = known.get();
            LOG.warn("runId={} callId={} tool={} started on {} at {} and never finished: OUTCOME_UNKNOWN, not re-run",
                    runId, callId, started.tool(), started.gatewayId(), started.startedAt());
            return finish(dispatch, started.argsSha256(), started.startedAt(), ToolCallStatus.OUTCOME_UNKNOWN, null,
                    null, "the gateway stopped after the call started; whether it took effect is unknown,"
                            + " and it is not run again", 1, started, true);
        }
        Instant startedAt = now();
        String argsSha256 = dispatch.getArgsSha256();
        JournalEntry marker = null;
        boolean startCommitted = false;
        try {
            argsSha256 = CanonicalJson.sha256(dispatch.getArgsJson());
            if (!argsSha256.equals(dispatch.getArgsSha256())) {
                throw new ArgsInvalidException("argsSha256 of the dispatch does not match its arguments");
            }
            Tool tool = tools.find(dispatch.getTool()).orElseThrow(() -> new ToolUnknownException(dispatch.getTool()));
            JsonNode args = CanonicalJson.parse(dispatch.getArgsJson());
            validator.validate(dispatch.getArgsSchemaJson(), args, "the dispatch's argsSchemaJson");
            validator.validate(tool.argsSchemaJson(), args, "the schema of tool " + tool.name());
            checkPin(dispatch, tool);
            marker = new JournalEntry(JournalEntry.State.STARTED, runId, callId, tool.name(), argsSha256, startedAt,
                    config.gatewayId());
            boolean idempotent = tool.idempotent(args);
            if (!idempotent) {
                if (!gate.started(marker)) {
                    return Outcome.dropped();
                }
                startCommitted = true;
            }
            Duration timeout = config.explicitTimeout(tool.name())
                    .orElseGet(() -> tool.timeout().orElseGet(() -> config.timeout(tool.name())));
            Instant deadline = startedAt.plus(timeout);
            int attempt = 0;
            while (true) {
                attempt++;
                try {
                    JsonNode output = runWithDeadline(tool, new ToolCall(runId, callId, args, deadline, traceparent),
                            timeout);
                    String resultJson = CanonicalJson.write(output == null ? JsonNodeFactory.instance.nullNode()
                            : output);
                    int bytes = resultJson.getBytes(StandardCharsets.UTF_8).length;
                    if (bytes > config.maxResultBytes()) {
                        throw new ResultTooLargeException("result has " + bytes + " bytes, more than "
                                + GatewayConfig.MAX_RESULT_BYTES.name() + " = " + config.maxResultBytes());
                    }
                    LOG.debug("runId={} callId={} tool={} SUCCEEDED in {} attempt(s)", runId, callId, tool.name(),
                            attempt);
                    return finish(dispatch, argsSha256, startedAt, ToolCallStatus.SUCCEEDED, resultJson, null, null,
                            attempt, marker, startCommitted);
                } catch (ToolTimedOut e) {
                    LOG.info("runId={} callId={} tool={} TIMED_OUT after {}", runId, callId, tool.name(), timeout);
                    return finish(dispatch, argsSha256, startedAt, ToolCallStatus.TIMED_OUT, null,
                            TimeoutException.class.getName(), "tool " + tool.name() + " did not finish within "
                                    + timeout, attempt, marker, startCommitted);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    boolean retriable = e instanceof ToolException te ? te.retriable()
                            : e instanceof IOException && !(e instanceof HttpTimeoutException);
                    if (idempotent && retriable && attempt < MAX_ATTEMPTS && Instant.now().isBefore(deadline)) {
                        LOG.info("runId={} callId={} tool={} attempt {} failed ({}), retrying", runId, callId,
                                tool.name(), attempt, e.getClass().getSimpleName());
                        continue;
                    }
                    throw new AttemptsFailed(e, attempt, startCommitted);
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (AttemptsFailed e) {
            return failed(dispatch, argsSha256, startedAt, e.getCause(), e.attempts, marker, e.startCommitted);
        } catch (Exception e) {
            return failed(dispatch, argsSha256, startedAt, e, 1, marker, startCommitted);
        }
    }

    /**
     * Refuses a pinned call whose tool's current definition does not have the pinned digest, before anything runs.
     * A pin on a tool without an upstream definition (a built-in) is refused too: the pin cannot be honoured.
     */
    private static void checkPin(ToolCallDispatch dispatch, Tool tool) throws ToolException {
        String pin = dispatch.getPin();
        if (pin == null) {
            return;
        }
        Optional<String> current = tool.currentDefinitionSha256();
        if (current.isEmpty()) {
            throw new ToolDefinitionChangedException("tool " + tool.name() + " is pinned to " + pin
                    + " but has no upstream definition to compare with");
        }
        if (!current.get().equals(pin)) {
            LOG.warn("runId={} callId={} tool={} refused: definition {} does not match the pin {}",
                    dispatch.getRunId(), dispatch.getCallId(), tool.name(), current.get(), pin);
            throw new ToolDefinitionChangedException("the definition of tool " + tool.name() + " changed since it was"
                    + " pinned: pinned " + pin + ", now " + current.get() + "; review it (tollgate tools list) and"
                    + " update the bundle's pin");
        }
    }

    private Outcome failed(ToolCallDispatch dispatch, String argsSha256, Instant startedAt, Throwable error,
                           int attempts, JournalEntry marker, boolean startCommitted) {
        boolean timedOut = error instanceof HttpTimeoutException || error instanceof TimeoutException;
        ToolCallStatus status = timedOut ? ToolCallStatus.TIMED_OUT
                : error instanceof ToolOutcomeUnknownException ? ToolCallStatus.OUTCOME_UNKNOWN
                : ToolCallStatus.FAILED;
        String errorClass = error instanceof ToolException te ? te.errorClass() : error.getClass().getName();
        LOG.info("runId={} callId={} tool={} {}: {}", dispatch.getRunId(), dispatch.getCallId(), dispatch.getTool(),
                status, error instanceof ToolException ? errorClass : error.getClass().getSimpleName());
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return finish(dispatch, argsSha256, startedAt, status, null, errorClass, message, attempts,
                marker, startCommitted);
    }

    private JsonNode runWithDeadline(Tool tool, ToolCall call, Duration timeout) throws Exception {
        Future<JsonNode> future = toolThreads.submit(() -> tool.execute(call));
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ToolTimedOut();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw new IllegalStateException("tool " + tool.name() + " failed: " + cause, cause);
        }
    }

    private Outcome finish(ToolCallDispatch dispatch, String argsSha256, Instant startedAt, ToolCallStatus status,
                           String resultJson, String errorClass, String error, int attempts, JournalEntry marker,
                           boolean startCommitted) {
        Instant finishedAt = now();
        count(dispatch.getTool(), status, errorClass, Duration.between(startedAt, finishedAt));
        String resultSha256 = resultJson != null ? CanonicalJson.sha256(resultJson)
                : CanonicalJson.sha256(errorDigestJson(status, errorClass, error));
        Receipt receipt = signer.sign(Receipt.newBuilder()
                .setRunId(dispatch.getRunId())
                .setCallId(dispatch.getCallId())
                .setTool(dispatch.getTool())
                .setArgsSha256(argsSha256)
                .setResultSha256(resultSha256)
                .setStatus(status)
                .setStartedAt(startedAt)
                .setFinishedAt(finishedAt));
        ToolCallResult result = ToolCallResult.newBuilder()
                .setRunId(dispatch.getRunId())
                .setCallId(dispatch.getCallId())
                .setTool(dispatch.getTool())
                .setStatus(status)
                .setResultJson(resultJson)
                .setResultSha256(resultSha256)
                .setError(error)
                .setErrorClass(errorClass)
                .setCostMicros(dispatch.getCostMicros())
                .setAttempts(attempts)
                .setGatewayId(config.gatewayId())
                .setStartedAt(startedAt)
                .setFinishedAt(finishedAt)
                .setReceipt(receipt)
                .build();
        JournalEntry finished = (marker != null ? marker : new JournalEntry(JournalEntry.State.STARTED,
                dispatch.getRunId(), dispatch.getCallId(), dispatch.getTool(), argsSha256, startedAt,
                config.gatewayId())).finished();
        return new Outcome(Outcome.Kind.RESULT, result, finished, startCommitted);
    }

    /**
     * {@code tollgate_tool_calls_total{tool, status}}, {@code tollgate_tool_call_duration_seconds{tool}}, and for a
     * call that failed at or on the way to an upstream (I/O, timeout, or an {@link UpstreamException}), {@code
     * tollgate_upstream_errors_total{upstream, kind}}. Tool names are bounded by the policy bundle.
     */
    private void count(String tool, ToolCallStatus status, String errorClass, Duration took) {
        Counter.builder("tollgate.tool.calls").tag("tool", tool).tag("status", status.name())
                .description("Tool calls executed by the gateway").register(meters).increment();
        Timer.builder("tollgate.tool.call.duration").tag("tool", tool).description("Tool execution time")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5)).register(meters)
                .record(took.isNegative() ? Duration.ZERO : took);
        String kind = upstreamErrorKind(status, errorClass);
        if (kind != null) {
            Counter.builder("tollgate.upstream.errors").tag("upstream", tool).tag("kind", kind)
                    .description("Calls that failed talking to an upstream (MCP server, REST or HTTP endpoint)")
                    .register(meters).increment();
        }
    }

    /**
     * The {@code kind} label for a call that failed at or on the way to an upstream: {@code timeout}, {@code io} (an
     * I/O exception), or the {@link UpstreamException.Kind} of an {@code UPSTREAM_…} error class (e.g.
     * {@code http_status}, {@code tool_error}); null for anything else.
     */
    static String upstreamErrorKind(ToolCallStatus status, String errorClass) {
        if (status == ToolCallStatus.TIMED_OUT) {
            return "timeout";
        }
        if (status != ToolCallStatus.FAILED || errorClass == null) {
            return null;
        }
        UpstreamException.Kind upstream = UpstreamException.kindOf(errorClass);
        if (upstream != null) {
            return upstream.label();
        }
        try {
            return IOException.class.isAssignableFrom(Class.forName(errorClass, false,
                    CallProcessor.class.getClassLoader())) ? "io" : null;
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** The JSON whose digest stands for the result of a call that did not succeed. */
    static String errorDigestJson(ToolCallStatus status, String errorClass, String error) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("status", status.name());
        if (errorClass != null) {
            node.put("errorClass", errorClass);
        }
        node.put("error", error == null ? "" : error);
        return CanonicalJson.write(node);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static final class ToolTimedOut extends Exception {
        ToolTimedOut() {
            super(null, null, false, false);
        }
    }

    private static final class AttemptsFailed extends Exception {
        private final int attempts;
        private final boolean startCommitted;

        AttemptsFailed(Exception cause, int attempts, boolean startCommitted) {
            super(cause);
            this.attempts = attempts;
            this.startCommitted = startCommitted;
        }
    }
}

package dev.tollgate.intake.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.intake.command.CommandProducer;
import dev.tollgate.intake.command.Ids;
import dev.tollgate.intake.http.Answers;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.BodyReader;
import dev.tollgate.intake.http.Feature;
import dev.tollgate.intake.http.JsonBody;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.ledger.CallOutcome;
import dev.tollgate.intake.ledger.LedgerWatcher;
import dev.tollgate.intake.run.RunAccess;
import dev.tollgate.ledger.model.ToolCallView;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Agent route {@code POST /v1/runs/{runId}/tool-calls}: one {@code RequestToolCall} command on
 * {@code tollgate.commands.v1}. With {@code ?waitMs=} (capped by {@code max.wait.ms}) the answer waits for the
 * call's outcome on {@code tollgate.ledger.v1} / {@code tollgate.tool-results.v1} and is 200 with the decision,
 * reasons, result and signed receipt; otherwise, or when the wait runs out, 202 with what is known.
 */
public final class ToolCallRoutes implements Feature {

    private final Authenticator auth;
    private final BodyReader bodies;
    private final RunAccess runs;
    private final CommandProducer commands;
    private final LedgerWatcher ledger;
    private final long maxWaitMs;

    public ToolCallRoutes(Authenticator auth, BodyReader bodies, RunAccess runs, CommandProducer commands,
                          LedgerWatcher ledger, long maxWaitMs) {
        this.auth = auth;
        this.bodies = bodies;
        this.runs = runs;
        this.commands = commands;
        this.ledger = ledger;
        this.maxWaitMs = maxWaitMs;
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.post("/v1/runs/{runId}/tool-calls", this::requestToolCall);
    }

    private void requestToolCall(Context ctx) {
        Principal agent = auth.agent(ctx);
        String runId = runs.ownRun(ctx, agent);
        long waitMs = waitMs(ctx);
        JsonBody body = bodies.json(ctx);
        String tool = body.requiredIdent("tool");
        JsonNode args = body.requiredValue("args");
        if (!args.isObject()) {
            throw ApiException.fieldInvalid("args", "must be a JSON object");
        }
        Optional<String> givenCallId = body.optionalString("callId", 128);
        if (givenCallId.isPresent() && !JsonBody.IDENT.matcher(givenCallId.get()).matches()) {
            throw ApiException.fieldInvalid("callId", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        // A given callId makes the command id derived, so a retried call is dropped by the processor's dedup.
        String callId = givenCallId.orElseGet(Ids::random);
        String commandId = givenCallId.map(c -> Ids.derived("tool-call", agent.tenantId(), agent.principalId(),
                runId, c)).orElseGet(Ids::random);
        RequestToolCall payload = RequestToolCall.newBuilder()
                .setCallId(callId).setTool(tool).setArgsJson(JsonBody.toText(args)).build();
        // The waiter is registered before the command is produced, so no outcome can slip in between.
        Optional<CompletableFuture<CallOutcome>> waiter = waitMs > 0
                ? ledger.await(runId, callId, agent.principalId()) : Optional.empty();
        try {
            commands.produce(ctx, agent, runId, commandId, payload);
        } catch (RuntimeException e) {
            waiter.ifPresent(ledger::release);
            throw e;
        }
        if (waiter.isEmpty()) {
            Answers.json(ctx, 202, Answers.JSON.objectNode().put("runId", runId).put("callId", callId));
            return;
        }
        CompletableFuture<CallOutcome> future = waiter.get();
        ctx.future(() -> future.completeOnTimeout(null, waitMs, TimeUnit.MILLISECONDS).handle((outcome, error) -> {
            if (outcome != null) {
                Answers.json(ctx, 200, outcomeJson(outcome));
            } else {
                CallOutcome known = ledger.outcome(runId, callId).orElse(null);
                ObjectNode answer = Answers.JSON.objectNode().put("runId", runId).put("callId", callId);
                if (known == null || known.decision() == null) {
                    answer.putNull("decision");
                } else {
                    answer.put("decision", known.decision());
                }
                Answers.json(ctx, 202, answer);
            }
            return null;
        }));
    }

    private long waitMs(Context ctx) {
        String text = ctx.queryParam("waitMs");
        if (text == null || text.isEmpty()) {
            return 0;
        }
        long waitMs;
        try {
            waitMs = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.fieldInvalid("waitMs", "must be a non-negative integer (milliseconds)");
        }
        if (waitMs < 0) {
            throw ApiException.fieldInvalid("waitMs", "must be a non-negative integer (milliseconds)");
        }
        return Math.min(waitMs, maxWaitMs);
    }

    private static ObjectNode outcomeJson(CallOutcome outcome) {
        ObjectNode answer = Answers.JSON.objectNode().put("runId", outcome.runId()).put("callId", outcome.callId())
                .put("decision", outcome.decision());
        ArrayNode reasons = answer.putArray("reasons");
        for (ToolCallView.ReasonView reason : outcome.reasons()) {
            ObjectNode r = reasons.addObject().put("code", reason.code());
            if (reason.ruleId() == null) {
                r.putNull("ruleId");
            } else {
                r.put("ruleId", reason.ruleId());
            }
            r.put("message", reason.message());
            reason.suggest().forEach(r.putArray("suggest")::add);
        }
        if (outcome.status() == null) {
            answer.putNull("status");
        } else {
            answer.put("status", outcome.status());
        }
        if (outcome.resultJson() != null) {
            try {
                answer.set("result", JsonBody.MAPPER.readTree(outcome.resultJson()));
            } catch (IOException | RuntimeException e) {
                answer.put("result", outcome.resultJson());
            }
        }
        if (outcome.receipt() != null) {
            answer.set("receipt", outcome.receipt());
        }
        return answer;
    }
}

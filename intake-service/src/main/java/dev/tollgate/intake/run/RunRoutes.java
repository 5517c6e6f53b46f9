package dev.tollgate.intake.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.CompleteStage;
import dev.tollgate.events.FinishRun;
import dev.tollgate.events.ReportUsage;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RunBudget;
import dev.tollgate.events.SubmitArtifact;
import dev.tollgate.intake.command.CommandProducer;
import dev.tollgate.intake.command.Ids;
import dev.tollgate.intake.http.Answers;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.BodyReader;
import dev.tollgate.intake.http.Feature;
import dev.tollgate.intake.http.JsonBody;
import dev.tollgate.intake.identity.Principal;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Agent routes of a run's life: {@code POST /v1/runs} (with an optional {@code Idempotency-Key}, from which the run
 * and command ids are derived), and in an owned run {@code usage}, {@code artifacts},
 * {@code stages/{stage}/complete} and {@code finish}. Each accepted request is one command on
 * {@code tollgate.commands.v1}, answered 202.
 */
public final class RunRoutes implements Feature {

    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final Authenticator auth;
    private final BodyReader bodies;
    private final RunAccess runs;
    private final CommandProducer commands;

    public RunRoutes(Authenticator auth, BodyReader bodies, RunAccess runs, CommandProducer commands) {
        this.auth = auth;
        this.bodies = bodies;
        this.runs = runs;
        this.commands = commands;
    }

    @Override
    public void register(JavalinConfig config) {
        config.routes.post("/v1/runs", this::requestRun);
        config.routes.post("/v1/runs/{runId}/usage", this::reportUsage);
        config.routes.post("/v1/runs/{runId}/artifacts", this::submitArtifact);
        config.routes.post("/v1/runs/{runId}/stages/{stage}/complete", this::completeStage);
        config.routes.post("/v1/runs/{runId}/finish", this::finishRun);
    }

    private void requestRun(Context ctx) {
        Principal agent = auth.agent(ctx);
        String idempotencyKey = ctx.header("Idempotency-Key");
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw ApiException.fieldInvalid("Idempotency-Key", "must be 1-255 printable ASCII characters");
        }
        JsonBody body = bodies.json(ctx);
        RequestRun.Builder payload = RequestRun.newBuilder()
                .setWorkflow(body.requiredIdent("workflow"))
                .setEnvironment(body.requiredIdent("environment"))
                .setClassification(body.requiredIdent("classification"))
                .setInputJson(JsonBody.toText(body.root().has("input") && !body.root().get("input").isNull()
                        ? body.root().get("input") : Answers.JSON.objectNode()))
                .setBudget(body.optionalObject("budget").map(RunRoutes::budget).orElse(null));
        String runId;
        String commandId;
        if (idempotencyKey != null) {
            runId = commands.derivedRunId(agent, idempotencyKey);
            commandId = Ids.derived("request-run", agent.tenantId(), agent.principalId(), idempotencyKey);
        } else {
            runId = Ids.random();
            commandId = Ids.random();
        }
        commands.produce(ctx, agent, runId, commandId, payload.build());
        runs.requested(runId, agent);
        Answers.json(ctx, 202, Answers.JSON.objectNode().put("runId", runId).put("commandId", commandId));
    }

    private static RunBudget budget(ObjectNode node) {
        RunBudget.Builder budget = RunBudget.newBuilder();
        JsonNode max = node.get("maxToolCalls");
        if (max != null && !max.isNull()) {
            if (!max.isIntegralNumber() || !max.canConvertToInt() || max.intValue() < 0) {
                throw ApiException.fieldInvalid("budget.maxToolCalls", "must be a non-negative integer");
            }
            budget.setMaxToolCalls(max.intValue());
        }
        budget.setCostMicros(nonNegative(node, "costMicros"));
        budget.setTokens(nonNegative(node, "tokens"));
        return budget.build();
    }

    private static Long nonNegative(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw ApiException.fieldInvalid("budget." + field, "must be a non-negative integer");
        }
        return value.longValue();
    }

    private void reportUsage(Context ctx) {
        Principal agent = auth.agent(ctx);
        String runId = runs.ownRun(ctx, agent);
        JsonBody body = bodies.json(ctx);
        ReportUsage payload = ReportUsage.newBuilder()
                .setModel(body.requiredIdent("model"))
                .setInputTokens(body.requiredNonNegativeLong("inputTokens"))
                .setOutputTokens(body.requiredNonNegativeLong("outputTokens"))
                .build();
        commands.accepted(ctx, agent, runId, payload);
    }

    private void submitArtifact(Context ctx) {
        Principal agent = auth.agent(ctx);
        String runId = runs.ownRun(ctx, agent);
        JsonBody body = bodies.json(ctx);
        String type = body.requiredIdent("type");
        JsonNode content = body.requiredValue("content");
        String classification = body.requiredIdent("classification");
        Optional<String> stage = body.optionalString("stage", 128);
        if (stage.isPresent() && !JsonBody.IDENT.matcher(stage.get()).matches()) {
            throw ApiException.fieldInvalid("stage", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        SubmitArtifact payload = SubmitArtifact.newBuilder()
                .setType(type)
                .setContent(content.isTextual() ? content.textValue() : JsonBody.toText(content))
                .setClassification(classification)
                .setStage(stage.orElse(null))
                .build();
        commands.accepted(ctx, agent, runId, payload);
    }

    private void completeStage(Context ctx) {
        Principal agent = auth.agent(ctx);
        String runId = runs.ownRun(ctx, agent);
        String stage = ctx.pathParam("stage");
        if (!JsonBody.IDENT.matcher(stage).matches()) {
            throw ApiException.fieldInvalid("stage", "must be 1-128 of A-Z a-z 0-9 . _ : @ / -");
        }
        bodies.text(ctx);
        commands.accepted(ctx, agent, runId, CompleteStage.newBuilder().setStage(stage).build());
    }

    private void finishRun(Context ctx) {
        Principal agent = auth.agent(ctx);
        String runId = runs.ownRun(ctx, agent);
        JsonBody body = bodies.json(ctx);
        FinishRun payload = FinishRun.newBuilder()
                .setOutcome(body.requiredIdent("outcome"))
                .setSummary(body.optionalString("summary", 10_000).orElse(null))
                .build();
        commands.accepted(ctx, agent, runId, payload);
    }
}

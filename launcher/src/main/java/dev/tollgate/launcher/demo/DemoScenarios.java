package dev.tollgate.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.Command;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.launcher.LedgerCommand;
import dev.tollgate.launcher.demo.DemoClient.Answer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;

/**
 * The scripted agent of {@code tollgate demo}: it drives a running stack through its public HTTP APIs and the
 * operator CLI, as a platform team would, and records for each scenario what was expected and what was observed.
 * The stack runs the project's default bundle (the reference bundle), whose comments say what must happen.
 */
final class DemoScenarios {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** One row of the demo's table. */
    record Observation(String scenario, String expected, String observed, boolean matched) {
    }

    private final DemoClient intake;
    private final DemoClient query;
    private final String adminKey;
    private final String bootstrapServers;
    private final String schemaRegistryUrl;
    private final List<Observation> observations = new ArrayList<>();
    private final Set<String> runs = new LinkedHashSet<>();
    private String agentKey;
    private String agentId;
    private String leadKey;

    DemoScenarios(String intakeUrl, String queryUrl, String adminKey, String bootstrapServers,
                  String schemaRegistryUrl) {
        this.intake = new DemoClient(intakeUrl);
        this.query = new DemoClient(queryUrl);
        this.adminKey = adminKey;
        this.bootstrapServers = bootstrapServers;
        this.schemaRegistryUrl = schemaRegistryUrl;
    }

    List<Observation> runAll() {
        step("identities: an agent, a support lead and an admin", this::createIdentities);
        String run = admitRun("support-triage", "staging");
        step("an approved read (search_docs)", () -> approvedRead(run));
        step("a denied unknown tool", () -> deniedCall(run, "shell.exec", Map.of("cmd", "ls"), "TOOL_UNKNOWN"));
        step("arguments rejected by the tool's schema", () -> deniedCall(run, "search_docs",
                Map.of("q", "refunds", "limit", 5), "ARGS_INVALID"));
        step("an external email denied by a rule", () -> deniedCall(run, "email.send",
                Map.of("to", List.of("someone@gmail.com"), "subject", "hello"), "DENIED_BY_RULE"));
        step("a bulk ticket update held, then approved by the support lead", () -> heldThenApproved(run));
        step("an MCP client session: tools/list, an approved and a denied call", this::mcpSession);
        step("a forged self-approval refused, even past intake", this::selfApprovalRefused);
        step("a token budget exhausted and the run halted", this::tokenBudgetExhausted);
        step("a gate failing on an email in the report, then passing after a fix", this::gateFailsThenPasses);
        step("an agent kill switch halting a run", this::killSwitchHaltsRun);
        step("verify passing on every run", this::verifyEveryRun);
        step("a replay from offset 0 reproducing the views", this::replayReproducesViews);
        return observations;
    }

    private void step(String scenario, Supplier<Observation> body) {
        Observation observation;
        try {
            observation = body.get();
        } catch (RuntimeException e) {
            observation = new Observation(scenario, "no error", "error: " + e.getMessage(), false);
        }
        observations.add(new Observation(scenario, observation.expected(), observation.observed(),
                observation.matched()));
    }

    /**
     * Leaves the demo's bulk ticket update held for a person: creates the demo identities when not done yet, admits
     * a run and asks for {@code tickets.update} on 12 tickets, which the reference bundle holds for a support lead.
     */
    Demo.HeldCall leaveHeldCall() {
        if (leadKey == null) {
            createIdentities();
        }
        String runId = admitRun("support-triage", "staging");
        Answer call = toolCall(runId, "tickets.update", Map.of("ticket_ids",
                IntStream.rangeClosed(1, 12).boxed().toList(), "fields", Map.of("priority", "high")));
        if (!"PENDING_APPROVAL".equals(call.text("/decision"))) {
            throw new IllegalStateException("the bulk ticket update was not held: " + call.body());
        }
        return new Demo.HeldCall(runId, call.text("/callId"), "dana", leadKey);
    }

    private static Observation observe(String expected, String observed) {
        return new Observation("", expected, observed, expected.equals(observed));
    }

    private Observation createIdentities() {
        Answer agent = intake.post("/v1/identities", adminKey,
                Map.of("name", "demo-agent", "kind", "agent", "tenant", "acme", "roles", List.of()));
        Answer lead = intake.post("/v1/identities", adminKey,
                Map.of("name", "dana", "kind", "human", "tenant", "acme", "roles", List.of("support-lead")));
        Answer admin = intake.post("/v1/identities", adminKey,
                Map.of("name", "ops-admin", "kind", "human", "tenant", "acme", "roles", List.of("admin")));
        agentKey = agent.text("/apiKey");
        agentId = agent.text("/principalId");
        leadKey = lead.text("/apiKey");
        return observe("201 201 201", agent.status() + " " + lead.status() + " " + admin.status());
    }

    private String admitRun(String workflow, String environment) {
        Answer answer = intake.post("/v1/runs", agentKey, Map.of("workflow", workflow, "environment", environment,
                "classification", "Internal", "input", Map.of("ticket", 4711)));
        String runId = answer.text("/runId");
        if (answer.status() != 202 || runId.isEmpty()) {
            throw new IllegalStateException("POST /v1/runs answered " + answer.status() + " " + answer.body());
        }
        runs.add(runId);
        await(() -> {
            Answer view = query.get("/v1/runs/" + runId, agentKey);
            return view.status() == 200 ? Optional.of(view) : Optional.empty();
        }, "run " + runId + " admitted");
        return runId;
    }

    private Answer toolCall(String runId, String tool, Object args) {
        return intake.post("/v1/runs/" + runId + "/tool-calls?waitMs=15000", agentKey,
                Map.of("tool", tool, "args", args));
    }

    private Observation approvedRead(String runId) {
        Answer call = toolCall(runId, "search_docs", Map.of("q", "refund policy"));
        return observe("APPROVED SUCCEEDED", call.text("/decision") + " " + call.text("/status"));
    }

    /** A stock MCP client (the official SDK's) on intake's /mcp: its session is a run like any other. */
    private Observation mcpSession() {
        McpSession.Seen seen = McpSession.run(intake.baseUrl(), agentKey);
        if (!seen.runId().isEmpty()) {
            runs.add(seen.runId());
        }
        return observe("6 tools, content, DENIED_BY_RULE", seen.tools() + " tools, " + seen.approved() + ", "
                + seen.denied());
    }

    private Observation deniedCall(String runId, String tool, Object args, String code) {
        Answer call = toolCall(runId, tool, args);
        return observe("DENIED " + code, call.text("/decision") + " " + call.text("/reasons/0/code"));
    }

    private Observation heldThenApproved(String runId) {
        List<Integer> tickets = IntStream.rangeClosed(1, 12).boxed().toList();
        Answer call = toolCall(runId, "tickets.update",
                Map.of("ticket_ids", tickets, "fields", Map.of("priority", "high")));
        String callId = call.text("/callId");
        Answer approval = intake.post("/v1/approvals/" + callId, leadKey,
                Map.of("decision", "approve", "reason", "bulk re-prioritisation agreed"));
        JsonNode done = await(() -> {
            Answer view = query.get("/v1/tool-calls/" + callId, leadKey);
            return "SUCCEEDED".equals(view.text("/status")) ? Optional.of(view.body()) : Optional.empty();
        }, "call " + callId + " completed");
        return observe("PENDING_APPROVAL 202 APPROVED SUCCEEDED", call.text("/decision") + " " + approval.status()
                + " " + done.path("decision").asText() + " " + done.path("status").asText());
    }

    /**
     * Anyone who can write tollgate.commands.v1 can put any principal in a command's envelope, past intake's checks.
     * An agent that approves its own held call that way is refused by the policy-processor before any decision: the
     * command carries no proof of its producer (COMMAND_UNAUTHENTICATED). Signed with the agent's own key it would
     * be attributed to the agent, and refused as SELF_APPROVAL. The refusal is on the ledger; the call stays held.
     */
    private Observation selfApprovalRefused() {
        String runId = admitRun("support-triage", "staging");
        Answer call = toolCall(runId, "tickets.update", Map.of("ticket_ids",
                IntStream.rangeClosed(1, 11).boxed().toList(), "fields", Map.of("group", "tier-2")));
        String callId = call.text("/callId");
        Command command = Command.newBuilder()
                .setCommandId(UUID.randomUUID().toString()).setRunId(runId).setTenantId("acme")
                .setPrincipalId(agentId).setIssuedAt(Instant.now())
                .setPayload(DecideApproval.newBuilder().setCallId(callId).setDecision(ApprovalDecision.APPROVE)
                        .setReason("approving my own call").build())
                .build();
        TollgateSerdes serdes = new TollgateSerdes(new RestSchemaRegistryClient(schemaRegistryUrl));
        try (KafkaProducer<String, Command> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), serdes.value(Topics.COMMANDS).serializer())) {
            producer.send(new ProducerRecord<>(Topics.COMMANDS.name(), runId, command)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the command: " + e, e);
        }
        JsonNode rejected = awaitEvent(runId, "CommandRejected",
                e -> command.getCommandId().equals(e.path("payload").path("commandId").asText()));
        // The projector's call view is a repartitioned store, a moment behind the run's timeline read above.
        JsonNode still = await(() -> {
            Answer view = query.get("/v1/tool-calls/" + callId, adminKey);
            return view.text("/decision").isEmpty() ? Optional.empty() : Optional.of(view.body());
        }, "the view of call " + callId);
        return observe("PENDING_APPROVAL COMMAND_UNAUTHENTICATED PENDING_APPROVAL", call.text("/decision") + " "
                + rejected.path("payload").path("reasons").path(0).path("code").asText() + " "
                + still.path("decision").asText());
    }

    private Observation tokenBudgetExhausted() {
        String runId = admitRun("support-triage", "staging");
        intake.post("/v1/runs/" + runId + "/usage", agentKey,
                Map.of("model", "large-model", "inputTokens", 150_000, "outputTokens", 100_000));
        JsonNode view = awaitStatus(runId, "HALTED");
        Answer after = toolCall(runId, "search_docs", Map.of("q", "anything"));
        return observe("HALTED BUDGET_EXHAUSTED DENIED", view.path("status").asText() + " "
                + view.path("haltReason").asText() + " " + after.text("/decision"));
    }

    private Observation gateFailsThenPasses() {
        String runId = admitRun("research", "staging");
        Map<String, Object> leaky = Map.of("title", "Q3 churn", "summary", "Churn fell 2%",
                "owner", "alice@example.com");
        intake.post("/v1/runs/" + runId + "/artifacts", agentKey, Map.of("type", "report",
                "content", leaky, "classification", "Internal", "stage", "deliver"));
        intake.post("/v1/runs/" + runId + "/stages/deliver/complete", agentKey, Map.of());
        JsonNode failed = awaitEvent(runId, "GateEvaluated", e -> !e.path("payload").path("passed").asBoolean());
        Map<String, Object> fixed = Map.of("title", "Q3 churn", "summary", "Churn fell 2%", "owner", "Alice");
        intake.post("/v1/runs/" + runId + "/artifacts", agentKey, Map.of("type", "report",
                "content", fixed, "classification", "Internal", "stage", "deliver"));
        intake.post("/v1/runs/" + runId + "/stages/deliver/complete", agentKey, Map.of());
        JsonNode advanced = awaitEvent(runId, "StageAdvanced", e -> true);
        return observe("report-no-pii failed, then deliver advanced",
                failed.path("payload").path("gateId").asText() + " failed, then "
                        + advanced.path("payload").path("stage").asText() + " advanced");
    }

    private Observation killSwitchHaltsRun() {
        String runId = admitRun("support-triage", "staging");
        Answer engage = intake.send("PUT", "/v1/kill-switches/agent/" + agentId, adminKey,
                Map.of("reason", "demo: agent misbehaving"));
        JsonNode view = awaitStatus(runId, "HALTED");
        Answer lift = intake.send("DELETE", "/v1/kill-switches/agent/" + agentId, adminKey, null);
        return observe("engaged HALTED KILL_SWITCH lifted", (engage.status() / 100 == 2 ? "engaged" : engage.status())
                + " " + view.path("status").asText() + " " + view.path("haltReason").asText() + " "
                + (lift.status() / 100 == 2 ? "lifted" : lift.status()));
    }

    private Observation verifyEveryRun() {
        int valid = 0;
        StringBuilder broken = new StringBuilder();
        for (String runId : runs) {
            JsonNode verdict = query.get("/v1/runs/" + runId + "/verify", adminKey).body();
            if (verdict.path("valid").asBoolean()) {
                valid++;
            } else {
                broken.append(" [").append(runId).append(" seq ").append(verdict.path("firstBrokenSeq").asText())
                        .append(": ").append(verdict.path("reason").asText()).append(']');
            }
        }
        StringWriter out = new StringWriter();
        int exit = cli(out, "verify");
        JsonNode report = readJson(out.toString().trim());
        return observe(runs.size() + " of " + runs.size() + " valid; ledger verify exit 0, valid true",
                valid + " of " + runs.size() + " valid; ledger verify exit " + exit + ", valid "
                        + report.path("valid").asText() + broken);
    }

    private Observation replayReproducesViews() {
        StringWriter out = new StringWriter();
        int exit = cli(out, "replay", "--from-offset", "0");
        Map<String, JsonNode> replayed = new LinkedHashMap<>();
        for (String line : out.toString().split("\n")) {
            if (!line.isBlank()) {
                JsonNode view = readJson(line);
                replayed.put(view.path("runId").asText(), view);
            }
        }
        int equal = 0;
        StringBuilder different = new StringBuilder();
        for (String runId : runs) {
            JsonNode live = query.get("/v1/runs/" + runId, adminKey).body();
            if (live.equals(replayed.get(runId))) {
                equal++;
            } else {
                different.append(" [").append(runId).append(" live ").append(live).append(" replayed ")
                        .append(replayed.get(runId)).append(']');
            }
        }
        return observe("exit 0; " + runs.size() + " of " + runs.size() + " views equal",
                "exit " + exit + "; " + equal + " of " + runs.size() + " views equal" + different);
    }

    private int cli(StringWriter out, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", bootstrapServers, "--schema-registry-url", schemaRegistryUrl));
        CommandLine command = new CommandLine(new LedgerCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(new StringWriter(), true));
        return command.execute(all.toArray(String[]::new));
    }

    private JsonNode awaitStatus(String runId, String status) {
        return await(() -> {
            Answer view = query.get("/v1/runs/" + runId, adminKey);
            return status.equals(view.text("/status")) ? Optional.of(view.body()) : Optional.empty();
        }, "run " + runId + " " + status);
    }

    private JsonNode awaitEvent(String runId, String type, java.util.function.Predicate<JsonNode> matches) {
        return await(() -> {
            for (JsonNode event : query.get("/v1/runs/" + runId + "/events", adminKey).body()) {
                if (type.equals(event.path("type").asText()) && matches.test(event)) {
                    return Optional.of(event);
                }
            }
            return Optional.empty();
        }, type + " on run " + runId);
    }

    private static <T> T await(Supplier<Optional<T>> probe, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }
}

package dev.tollgate.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.ApprovalGranted;
import dev.tollgate.events.Command;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.Grants;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.Reason;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.RequestRun;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.ToolCallApproved;
import dev.tollgate.events.ToolCallDenied;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.ToolCallResult;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.RestSchemaRegistryClient;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.intake.identity.PublicKeys;
import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The intake routes on a real server (random port) against the embedded broker. The test plays the
 * policy-processor and the tool gateway where an answer needs them, by writing ledger events and tool results
 * to their topics itself.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class IntakeRoutesIT {

    private static final Map<String, Long> SEQS = new ConcurrentHashMap<>();

    private static final String RUN_BODY = "{\"workflow\":\"research\",\"environment\":\"dev\","
            + "\"classification\":\"Internal\",\"input\":{\"q\":\"hello\"}}";

    private static EmbeddedKafka kafka;
    private static IntakeApp app;
    private static HttpApi api;
    private static TopicProbe topics;
    private static String admin;
    private static String tenant;
    private static String otherTenant;
    private static Key agent;
    private static Key otherAgent;
    private static Key foreignAgent;
    private static Key approver;
    private static Key humanWithoutRole;
    private static Key foreignApprover;

    private record Key(String principalId, String apiKey) {
    }

    @BeforeAll
    static void start(EmbeddedKafka broker) {
        kafka = broker;
        admin = ApiKeys.generate();
        app = IntakeApp.start(config(admin));
        api = new HttpApi(app.port());
        topics = new TopicProbe(kafka, new TollgateSerdes(new RestSchemaRegistryClient(kafka.schemaRegistryUrl())));
        tenant = EmbeddedKafkaExtension.uniqueId("acme");
        otherTenant = EmbeddedKafkaExtension.uniqueId("globex");
        agent = identity("agent", tenant, List.of());
        otherAgent = identity("agent", tenant, List.of());
        foreignAgent = identity("agent", otherTenant, List.of());
        approver = identity("human", tenant, List.of("approver"));
        humanWithoutRole = identity("human", tenant, List.of("viewer"));
        foreignApprover = identity("human", otherTenant, List.of("approver"));
    }

    @AfterAll
    static void stop() {
        if (topics != null) {
            topics.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private static IntakeConfig config(String adminKey) {
        return IntakeConfig.of(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "schema.registry.url", kafka.schemaRegistryUrl(), "http.port", "0", "admin.key", adminKey,
                "rate.limit.per.second", "100000", "rate.limit.burst", "100000"));
    }

    private static Key identity(String kind, String tenantId, List<String> roles) {
        StringBuilder rolesJson = new StringBuilder("[");
        roles.forEach(r -> rolesJson.append(rolesJson.length() > 1 ? "," : "").append('"').append(r).append('"'));
        HttpApi.Answer created = api.post("/v1/identities", admin, "{\"name\":\"" + kind + "-it\",\"kind\":\"" + kind
                + "\",\"tenant\":\"" + tenantId + "\",\"roles\":" + rolesJson + "]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new Key(created.json().path("principalId").asText(), created.json().path("apiKey").asText());
    }

    /** A run created through the API and admitted by the "processor" (this test) on the ledger. */
    private static String admittedRun(Key owner, String ownerTenant) {
        HttpApi.Answer created = api.post("/v1/runs", owner.apiKey(), RUN_BODY);
        assertThat(created.status()).isEqualTo(202);
        String runId = created.json().path("runId").asText();
        ledger(runId, ownerTenant, owner.principalId(), RunAdmitted.newBuilder().setWorkflow("research")
                .setEnvironment("dev").setClassification("Internal").setRuleId("default")
                .setGrants(Grants.newBuilder().build()).build());
        return runId;
    }

    /** Appends an event to a run's ledger with the run's next seq, as the policy-processor numbers them. */
    private static void ledger(String runId, String tenantId, String principalId, Object payload) {
        long seq = SEQS.merge(runId, 1L, Long::sum);
        topics.produce(Topics.LEDGER, runId, LedgerEvent.newBuilder().setRunId(runId).setSeq(seq)
                .setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now()).setTenantId(tenantId)
                .setPrincipalId(principalId).setPrevHash("0".repeat(64)).setPayload(payload).build());
    }

    private static List<TopicProbe.Read<Command>> commands(String runId, int count) {
        return topics.await(Topics.COMMANDS, c -> c.getRunId().equals(runId), count);
    }

    // ---- authentication and the tenant matrix -------------------------------------------------------------

    @Test
    void refusesMissingWrongAndMalformedKeys() {
        assertThat(api.post("/v1/runs", null, RUN_BODY).errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(api.post("/v1/runs", ApiKeys.generate(), RUN_BODY).errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(api.post("/v1/runs", agent.apiKey() + "x", RUN_BODY).status()).isEqualTo(401);
        assertThat(api.send("POST", "/v1/runs", null, RUN_BODY, Map.of("Authorization", agent.apiKey())).status())
                .isEqualTo(401);
    }

    @Test
    void refusesADisabledKeyEverywhereWithinASecond() {
        Key doomed = identity("agent", tenant, List.of());
        try (IntakeApp second = IntakeApp.start(config(admin))) {
            HttpApi secondApi = new HttpApi(second.port());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> secondApi.post("/v1/runs", doomed.apiKey(), RUN_BODY).status() == 202);

            HttpApi.Answer disabled = api.delete("/v1/identities/" + doomed.principalId(), admin);
            assertThat(disabled.status()).isEqualTo(200);
            long disabledAt = System.nanoTime();

            assertThat(api.post("/v1/runs", doomed.apiKey(), RUN_BODY).status()).isEqualTo(401);
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> secondApi.post("/v1/runs", doomed.apiKey(), RUN_BODY).status() == 401);
            assertThat(Duration.ofNanos(System.nanoTime() - disabledAt)).isLessThan(Duration.ofSeconds(1));
            assertThat(secondApi.post("/v1/runs", doomed.apiKey(), RUN_BODY).errorCode())
                    .isEqualTo("UNAUTHENTICATED");
        }
        assertThat(api.delete("/v1/identities/" + UUID.randomUUID(), admin).errorCode()).isEqualTo("NOT_FOUND");
    }

    @Test
    void registersRotatesAndRemovesAnIdentitysPublicKey() throws Exception {
        String first = Base64.getEncoder().encodeToString(
                KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded());
        String second = Base64.getEncoder().encodeToString(
                KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded());
        HttpApi.Answer created = api.post("/v1/identities", admin, "{\"name\":\"signer\",\"kind\":\"agent\","
                + "\"tenant\":\"" + tenant + "\",\"publicKey\":\"" + first + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String principalId = created.json().path("principalId").asText();
        assertThat(created.json().path("publicKeyId").asText()).isEqualTo(PublicKeys.keyId(first));
        assertThat(topics.await(Topics.IDENTITIES, i -> i.getPrincipalId().equals(principalId), 1).get(0).value()
                .getPublicKey()).isEqualTo(first);

        HttpApi.Answer rotated = api.put("/v1/identities/" + principalId + "/public-key", admin,
                "{\"publicKey\":\"" + second + "\"}");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.json().path("publicKeyId").asText()).isEqualTo(PublicKeys.keyId(second));
        assertThat(api.get("/v1/identities?tenant=" + tenant, admin).json().path("identities"))
                .filteredOn(i -> i.path("principalId").asText().equals(principalId)).singleElement()
                .satisfies(i -> assertThat(i.path("publicKeyId").asText()).isEqualTo(PublicKeys.keyId(second)));
        HttpApi.Answer removed = api.delete("/v1/identities/" + principalId + "/public-key", admin);
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().path("publicKeyId").isNull()).isTrue();

        List<TopicProbe.Read<Identity>> written = topics.await(Topics.IDENTITIES,
                i -> i.getPrincipalId().equals(principalId), 3);
        assertThat(written).extracting(r -> r.value().getPublicKey()).containsExactly(first, second, null);
        assertThat(written).extracting(r -> r.value().getApiKeySha256()).containsOnly(
                written.get(0).value().getApiKeySha256());
        assertThat(api.post("/v1/runs", created.json().path("apiKey").asText(), RUN_BODY).status())
                .as("the API key still works").isEqualTo(202);
    }

    @Test
    void answers404ForAnotherTenantsRunAnd403ForAnotherPrincipalsRun() {
        String runId = admittedRun(agent, tenant);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.post("/v1/runs/" + runId + "/usage",
                foreignAgent.apiKey(), "{\"model\":\"m\",\"inputTokens\":1,\"outputTokens\":1}").status() == 404);
        HttpApi.Answer foreign = api.post("/v1/runs/" + runId + "/tool-calls", foreignAgent.apiKey(),
                "{\"tool\":\"echo\",\"args\":{}}");
        assertThat(foreign.errorCode()).isEqualTo("NOT_FOUND");
        assertThat(api.post("/v1/runs/" + runId + "/finish", otherAgent.apiKey(), "{\"outcome\":\"done\"}")
                .errorCode()).isEqualTo("FORBIDDEN");
        assertThat(api.post("/v1/runs/" + runId + "/finish", agent.apiKey(), "{\"outcome\":\"done\"}").status())
                .isEqualTo(202);
    }

    @Test
    void refusesTheWrongRoleOnAdminAndApprovalRoutes() {
        assertThat(api.post("/v1/identities", agent.apiKey(),
                "{\"name\":\"x\",\"kind\":\"agent\",\"tenant\":\"t\"}").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(api.delete("/v1/identities/" + agent.principalId(), approver.apiKey()).errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(api.put("/v1/policies/default", agent.apiKey(), "metadata: {}").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(api.put("/v1/kill-switches/global/all", approver.apiKey(), "{\"reason\":\"r\"}").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(api.post("/v1/approvals/c1", agent.apiKey(), "{\"decision\":\"approve\"}").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(api.post("/v1/runs", approver.apiKey(), RUN_BODY).errorCode()).isEqualTo("FORBIDDEN");
    }

    // ---- commands -----------------------------------------------------------------------------------------

    @Test
    void producesACommandWithThePrincipalsTenantAndTheTraceparent() {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpApi.Answer created = api.send("POST", "/v1/runs", agent.apiKey(),
                RUN_BODY.replace("\"input\"", "\"tenant\":\"" + otherTenant + "\",\"input\""),
                Map.of("traceparent", traceparent));
        assertThat(created.status()).isEqualTo(202);
        String runId = created.json().path("runId").asText();

        Command command = commands(runId, 1).get(0).value();
        assertThat(command.getTenantId()).isEqualTo(tenant);
        assertThat(command.getPrincipalId()).isEqualTo(agent.principalId());
        assertThat(command.getTraceparent()).isEqualTo(traceparent);
        assertThat(command.getCommandId()).isEqualTo(created.json().path("commandId").asText());
        RequestRun payload = (RequestRun) command.getPayload();
        assertThat(payload.getWorkflow()).isEqualTo("research");
        assertThat(payload.getInputJson()).isEqualTo("{\"q\":\"hello\"}");

        HttpApi.Answer untraced = api.post("/v1/runs", agent.apiKey(), RUN_BODY);
        Command started = commands(untraced.json().path("runId").asText(), 1).get(0).value();
        assertThat(started.getTraceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(untraced.header("traceparent")).isEqualTo(started.getTraceparent());
    }

    @Test
    void mapsTheSameIdempotencyKeyFromTheSamePrincipalToTheSameRun() {
        String key = UUID.randomUUID().toString();
        Map<String, String> headers = Map.of("Idempotency-Key", key);
        HttpApi.Answer first = api.send("POST", "/v1/runs", agent.apiKey(), RUN_BODY, headers);
        HttpApi.Answer retry = api.send("POST", "/v1/runs", agent.apiKey(), RUN_BODY, headers);
        HttpApi.Answer otherKey = api.send("POST", "/v1/runs", agent.apiKey(), RUN_BODY,
                Map.of("Idempotency-Key", key + "-2"));
        HttpApi.Answer otherPrincipal = api.send("POST", "/v1/runs", otherAgent.apiKey(), RUN_BODY, headers);

        String runId = first.json().path("runId").asText();
        assertThat(first.status()).isEqualTo(202);
        assertThat(retry.json().path("runId").asText()).isEqualTo(runId);
        assertThat(otherKey.json().path("runId").asText()).isNotEqualTo(runId);
        assertThat(otherPrincipal.json().path("runId").asText()).isNotEqualTo(runId);

        // Both attempts are on Kafka with one command id: the processor's duplicate detection drops the retry.
        List<TopicProbe.Read<Command>> written = commands(runId, 2);
        assertThat(written).extracting(r -> r.value().getCommandId()).containsOnly(
                first.json().path("commandId").asText());
        assertThat(written).extracting(TopicProbe.Read::key).containsOnly(runId);
    }

    // ---- tool calls and waitMs ----------------------------------------------------------------------------

    @Test
    void waitsForTheOutcomeAndReturnsTheResultToTheCallingAgent() {
        String runId = admittedRun(agent, tenant);
        String callId = "call-" + UUID.randomUUID();
        CompletableFuture<HttpApi.Answer> answer = CompletableFuture.supplyAsync(() -> api.post("/v1/runs/" + runId
                + "/tool-calls?waitMs=20000", agent.apiKey(), "{\"tool\":\"echo\",\"args\":{\"text\":\"hi\"},"
                + "\"callId\":\"" + callId + "\"}"));
        Command command = topics.await(Topics.COMMANDS, c -> c.getPayload() instanceof RequestToolCall r
                && r.getCallId().equals(callId), 1).get(0).value();
        assertThat(((RequestToolCall) command.getPayload()).getArgsJson()).isEqualTo("{\"text\":\"hi\"}");
        assertThat(answer).isNotDone();

        ledger(runId, tenant, agent.principalId(), ToolCallApproved.newBuilder().setCallId(callId).setTool("echo")
                .setArgsJson("{}").setArgsSha256("a").build());
        topics.produce(Topics.TOOL_RESULTS, runId, result(runId, callId, "{\"echo\":\"hi\"}"));

        HttpApi.Answer done = answer.join();
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(done.json().path("decision").asText()).isEqualTo("APPROVED");
        assertThat(done.json().path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(done.json().path("result").path("echo").asText()).isEqualTo("hi");
        assertThat(done.json().path("receipt").path("signature").asText()).isEqualTo("sig");
    }

    @Test
    void answersADenialWithItsReasonsAndATimeoutWith202() {
        String runId = admittedRun(agent, tenant);
        String callId = "denied-" + UUID.randomUUID();
        CompletableFuture<HttpApi.Answer> answer = CompletableFuture.supplyAsync(() -> api.post("/v1/runs/" + runId
                + "/tool-calls?waitMs=20000", agent.apiKey(), "{\"tool\":\"rm\",\"args\":{},\"callId\":\"" + callId
                + "\"}"));
        topics.await(Topics.COMMANDS, c -> c.getPayload() instanceof RequestToolCall r
                && r.getCallId().equals(callId), 1);
        ledger(runId, tenant, agent.principalId(), ToolCallDenied.newBuilder().setCallId(callId).setTool("rm")
                .setReasons(List.of(Reason.newBuilder().setCode(ReasonCode.TOOL_UNKNOWN).setRuleId("tools")
                        .setMessage("no such tool").setSuggest(List.of("echo")).build())).build());
        JsonNode denied = answer.join().json();
        assertThat(denied.path("decision").asText()).isEqualTo("DENIED");
        assertThat(denied.path("reasons").get(0).path("code").asText()).isEqualTo("TOOL_UNKNOWN");
        assertThat(denied.path("reasons").get(0).path("suggest").get(0).asText()).isEqualTo("echo");

        HttpApi.Answer retried = api.post("/v1/runs/" + runId + "/tool-calls?waitMs=5000", agent.apiKey(),
                "{\"tool\":\"rm\",\"args\":{},\"callId\":\"" + callId + "\"}");
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.json().path("decision").asText()).isEqualTo("DENIED");

        HttpApi.Answer timedOut = api.post("/v1/runs/" + runId + "/tool-calls?waitMs=300", agent.apiKey(),
                "{\"tool\":\"echo\",\"args\":{}}");
        assertThat(timedOut.status()).isEqualTo(202);
        assertThat(timedOut.json().path("decision").isNull()).isTrue();
        assertThat(timedOut.json().path("callId").asText()).isNotBlank();
    }

    // ---- approvals ----------------------------------------------------------------------------------------

    @Test
    void routesAnApprovalToTheHeldCallsRunForAnApproverOfTheSameTenant() {
        String runId = admittedRun(agent, tenant);
        String callId = "held-" + UUID.randomUUID();
        ledger(runId, tenant, agent.principalId(), ToolCallHeld.newBuilder().setCallId(callId).setTool("email.send")
                .setArgsJson("{}").setArgsSha256("a").setApproverRoles(List.of("approver"))
                .setExpiresAt(Instant.now().plusSeconds(3600)).build());
        String body = "{\"decision\":\"approve\",\"reason\":\"looks fine\"}";

        await().atMost(Duration.ofSeconds(10))
                .until(() -> api.post("/v1/approvals/" + callId, foreignApprover.apiKey(), body).status() == 404);
        assertThat(api.post("/v1/approvals/" + callId, humanWithoutRole.apiKey(), body).errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(api.post("/v1/approvals/nope-" + callId, approver.apiKey(), body).errorCode())
                .isEqualTo("NOT_FOUND");
        assertThat(api.post("/v1/approvals/" + callId, approver.apiKey(), "{\"decision\":\"perhaps\"}").errorCode())
                .isEqualTo("FIELD_INVALID");

        HttpApi.Answer approved = api.post("/v1/approvals/" + callId, approver.apiKey(), body);
        assertThat(approved.status()).isEqualTo(202);
        assertThat(approved.json().path("runId").asText()).isEqualTo(runId);
        Command command = topics.await(Topics.COMMANDS, c -> c.getPayload() instanceof DecideApproval d
                && d.getCallId().equals(callId), 1).get(0).value();
        assertThat(command.getRunId()).isEqualTo(runId);
        assertThat(command.getTenantId()).isEqualTo(tenant);
        assertThat(command.getPrincipalId()).isEqualTo(approver.principalId());
        assertThat(((DecideApproval) command.getPayload()).getDecision()).isEqualTo(ApprovalDecision.APPROVE);

        ledger(runId, tenant, agent.principalId(), new ApprovalGranted(callId, approver.principalId(), "ok"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> api.post("/v1/approvals/" + callId, approver.apiKey(), body).status() == 409);
    }

    @Test
    void aCallIdHeldInTwoRunsIsDecidedOnlyByRun() {
        String victims = admittedRun(agent, tenant);
        String attackers = admittedRun(agent, tenant);
        String callId = "collide-" + UUID.randomUUID();
        for (String runId : List.of(victims, attackers)) {
            ledger(runId, tenant, agent.principalId(), ToolCallHeld.newBuilder().setCallId(callId)
                    .setTool("email.send").setArgsJson("{}").setArgsSha256("a").setApproverRoles(List.of("approver"))
                    .setExpiresAt(Instant.now().plusSeconds(3600)).build());
        }
        String body = "{\"decision\":\"approve\",\"reason\":\"looks fine\"}";

        await().atMost(Duration.ofSeconds(10)).until(() -> "AMBIGUOUS_CALL_ID".equals(
                api.post("/v1/approvals/" + callId, approver.apiKey(), body).errorCode()));
        HttpApi.Answer ambiguous = api.post("/v1/approvals/" + callId, approver.apiKey(), body);
        assertThat(ambiguous.status()).isEqualTo(409);
        assertThat(ambiguous.json().path("error").path("runIds").toString()).contains(victims).contains(attackers);

        HttpApi.Answer approved = api.post("/v1/runs/" + victims + "/tool-calls/" + callId + "/approval",
                approver.apiKey(), body);
        assertThat(approved.status()).isEqualTo(202);
        assertThat(approved.json().path("runId").asText()).isEqualTo(victims);
        Command command = topics.await(Topics.COMMANDS, c -> c.getPayload() instanceof DecideApproval d
                && d.getCallId().equals(callId), 1).get(0).value();
        assertThat(command.getRunId()).isEqualTo(victims);
        assertThat(command.getProof()).as("signed by intake for the approver").isNotNull();
        assertThat(api.post("/v1/runs/" + UUID.randomUUID() + "/tool-calls/" + callId + "/approval",
                approver.apiKey(), body).errorCode()).isEqualTo("NOT_FOUND");
    }

    @Test
    void aCommandForARunNeverAdmittedIsA404() {
        String future = UUID.randomUUID().toString();
        assertThat(api.post("/v1/runs/" + future + "/tool-calls", agent.apiKey(),
                "{\"tool\":\"search_docs\",\"args\":{\"q\":\"x\"}}").errorCode()).isEqualTo("NOT_FOUND");
        assertThat(api.post("/v1/runs/" + future + "/finish", agent.apiKey(), "{\"outcome\":\"done\"}")
                .errorCode()).isEqualTo("NOT_FOUND");
    }

    // ---- admin: policies and kill switches ----------------------------------------------------------------

    @Test
    void publishesAPolicyBundleThatCompilesAndRefusesOneThatDoesNot() throws IOException {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/dev/tollgate/policy/engine/default-bundle.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String name = yaml.lines().map(String::trim).filter(l -> l.startsWith("name:")).findFirst().orElseThrow()
                .substring(5).trim().replace("\"", "");
        HttpApi.Answer published = api.put("/v1/policies/" + name, admin, yaml);
        assertThat(published.status()).as(published.body()).isEqualTo(201);
        String sha256 = published.json().path("sha256").asText();
        PolicyBundle bundle = topics.await(Topics.POLICIES, b -> b.getSha256().equals(sha256), 1).get(0).value();
        assertThat(bundle.getName()).isEqualTo(name);
        assertThat(bundle.getYaml()).isEqualTo(yaml);
        assertThat(bundle.getPublishedBy()).isEqualTo("bootstrap-admin");

        HttpApi.Answer refused = api.put("/v1/policies/" + name, admin, yaml.replaceFirst("when: '", "when: '(("));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorCode()).isEqualTo("POLICY_INVALID");
        assertThat(refused.json().path("error").path("problems").get(0).path("line").asInt()).isGreaterThan(1);
    }

    @Test
    void aPublishedVersionIsImmutableAndTheSameContentIsAcceptedAgain() throws IOException {
        String name = "immutable-" + UUID.randomUUID();
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/dev/tollgate/policy/engine/default-bundle.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceFirst("name: default", "name: " + name);
        }
        HttpApi.Answer first = api.put("/v1/policies/" + name, admin, yaml);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        String version = first.json().path("version").asText();
        String sha256 = first.json().path("sha256").asText();

        HttpApi.Answer again = api.put("/v1/policies/" + name, admin, yaml);
        assertThat(again.status()).as(again.body()).isEqualTo(201);
        assertThat(again.json().path("sha256").asText()).isEqualTo(sha256);

        String changed = yaml + "\n# a different bundle under the same version\n";
        HttpApi.Answer conflict = api.put("/v1/policies/" + name, admin, changed);
        assertThat(conflict.status()).as(conflict.body()).isEqualTo(409);
        assertThat(conflict.errorCode()).isEqualTo("VERSION_EXISTS");
        assertThat(conflict.json().path("error").path("message").asText()).contains(version).contains(sha256);
        assertThat(conflict.json().path("error").path("version").asText()).isEqualTo(version);
        assertThat(conflict.json().path("error").path("sha256").asText()).isEqualTo(sha256);

        HttpApi.Answer next = api.put("/v1/policies/" + name, admin,
                changed.replaceFirst("version: \"[^\"]*\"", "version: \"" + version + "-2\""));
        assertThat(next.status()).as(next.body()).isEqualTo(201);
        assertThat(next.json().path("version").asText()).isEqualTo(version + "-2");
        // Nothing was written for the refused one: the topic holds the first content twice and the next version.
        List<PolicyBundle> written = topics.await(Topics.POLICIES, b -> b.getName().equals(name), 3).stream()
                .map(r -> r.value()).toList();
        assertThat(written).extracting(PolicyBundle::getVersion).containsExactly(version, version, version + "-2");
    }

    @Test
    void engagesAndLiftsKillSwitches() {
        String target = UUID.randomUUID().toString();
        HttpApi.Answer engaged = api.put("/v1/kill-switches/run/" + target, admin, "{\"reason\":\"runaway\"}");
        assertThat(engaged.status()).isEqualTo(200);
        assertThat(engaged.json().path("key").asText()).isEqualTo("run:" + target);
        assertThat(api.delete("/v1/kill-switches/run/" + target, admin).status()).isEqualTo(200);
        List<TopicProbe.Read<KillSwitch>> written = topics.await(Topics.KILL_SWITCHES,
                k -> k.getTarget().equals(target), 2);
        assertThat(written).extracting(TopicProbe.Read::key).containsOnly("run:" + target);
        assertThat(written).extracting(r -> r.value().getEngaged()).containsExactly(true, false);
        assertThat(written.get(0).value().getReason()).isEqualTo("runaway");
        assertThat(api.put("/v1/kill-switches/run/" + target, admin, "{}").errorCode()).isEqualTo("FIELD_REQUIRED");
    }

    // ---- health, metrics, and no 5xx from any input -------------------------------------------------------

    @Test
    void servesHealthAndPrometheusMetricsWithKafkaClientMetrics() {
        assertThat(api.get("/health", null).json().path("status").asText()).isEqualTo("UP");
        String metrics = api.get("/metrics", null).body();
        assertThat(metrics).contains("tollgate_http_server_requests_seconds_bucket{method=\"GET\",route=\"/health\"");
        assertThat(metrics).contains("kafka_producer_");
        assertThat(metrics).contains("kafka_consumer_");
    }

    @Test
    void answersThousandsOfMalformedRequestsWithJsonErrorsAndNever5xx() {
        String runId = admittedRun(agent, tenant);
        MalformedRequests fuzz = new MalformedRequests(api, List.of(admin, agent.apiKey(), approver.apiKey(),
                foreignAgent.apiKey()), List.of(runId, UUID.randomUUID().toString()), 20261122L);
        List<MalformedRequests.Failure> failures = fuzz.sendThroughClient(3000);
        failures.addAll(fuzz.sendRaw(300, app.port()));
        assertThat(failures).isEmpty();
        assertThat(fuzz.transportRetries()).as("requests that needed a new connection").isLessThan(30);
    }

    private static ToolCallResult result(String runId, String callId, String json) {
        Instant now = Instant.now();
        Receipt receipt = Receipt.newBuilder().setKeyId("k").setRunId(runId).setCallId(callId).setTool("echo")
                .setArgsSha256("a").setResultSha256("r").setStatus(ToolCallStatus.SUCCEEDED).setStartedAt(now)
                .setFinishedAt(now).setSignature("sig").build();
        return ToolCallResult.newBuilder().setRunId(runId).setCallId(callId).setTool("echo")
                .setStatus(ToolCallStatus.SUCCEEDED).setResultJson(json).setResultSha256("r").setStartedAt(now)
                .setFinishedAt(now).setReceipt(receipt).build();
    }
}

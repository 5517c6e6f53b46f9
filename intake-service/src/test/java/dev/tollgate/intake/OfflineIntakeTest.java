package dev.tollgate.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Grants;
import dev.tollgate.events.Identity;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.admin.KillSwitchAdmin;
import dev.tollgate.intake.admin.PolicyAdmin;
import dev.tollgate.intake.http.RateLimiter;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.intake.identity.IdentityAdmin;
import dev.tollgate.intake.identity.IdentityIndex;
import dev.tollgate.intake.kafka.KafkaSettings;
import dev.tollgate.intake.kafka.Publisher;
import dev.tollgate.intake.ledger.LedgerWatcher;
import dev.tollgate.intake.ledger.ProjectorLookup;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The routes with Kafka out of reach (a real producer pointed at a closed port): authentication, validation and
 * the 503 a request gets when its command cannot be written. The same routes run against the embedded broker in
 * {@code IntakeRoutesIT}.
 */
class OfflineIntakeTest {

    private static final String ADMIN = ApiKeys.generate();
    private static final String AGENT = ApiKeys.generate();
    private static final String OTHER_AGENT = ApiKeys.generate();
    private static final String HUMAN = ApiKeys.generate();
    private static final String DISABLED = ApiKeys.generate();
    private static final String OTHER_TENANT_RUN = UUID.randomUUID().toString();
    private static final String OTHER_AGENT_RUN = UUID.randomUUID().toString();

    private static Javalin server;
    private static Publisher publisher;
    private static HttpApi api;

    @BeforeAll
    static void start() {
        IntakeConfig config = IntakeConfig.of(Map.of("bootstrap.servers", "localhost:1", "http.port", "0",
                "produce.timeout.ms", "1000", "max.body.bytes", "4096"));
        TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());
        publisher = new Publisher(KafkaSettings.producer(config, "offline-test"), serdes);
        IdentityIndex identities = new IdentityIndex(serdes);
        identities.apply(identity("admin", PrincipalKind.SERVICE, "system", List.of("admin"), ADMIN, true), 1);
        identities.apply(identity("agent", PrincipalKind.AGENT, "acme", List.of(), AGENT, true), 2);
        identities.apply(identity("agent2", PrincipalKind.AGENT, "acme", List.of(), OTHER_AGENT, true), 3);
        identities.apply(identity("human", PrincipalKind.HUMAN, "acme", List.of("approver"), HUMAN, true), 4);
        identities.apply(identity("gone", PrincipalKind.AGENT, "acme", List.of(), DISABLED, false), 5);
        LedgerWatcher ledger = new LedgerWatcher(serdes, 1000, 10);
        ledger.onEvent(admitted(OTHER_TENANT_RUN, "globex", "someone"));
        ledger.onEvent(admitted(OTHER_AGENT_RUN, "acme", "agent2"));
        Clock clock = Clock.systemUTC();
        IntakeRoutes.Deps deps = new IntakeRoutes.Deps(config, identities, new IdentityAdmin(publisher, clock), ledger,
                publisher, new KillSwitchAdmin(publisher, clock), new PolicyAdmin(publisher, clock),
                new RateLimiter(1000, 1000, System::nanoTime), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> true, clock, ProjectorLookup.NONE);
        server = IntakeRoutes.create(deps).start();
        api = new HttpApi(server.port());
    }

    @AfterAll
    static void stop() {
        server.stop();
        publisher.close();
    }

    static Identity identity(String id, PrincipalKind kind, String tenant, List<String> roles, String key,
                             boolean enabled) {
        return Identity.newBuilder().setPrincipalId(id).setName(id).setKind(kind).setTenantId(tenant)
                .setRoles(roles).setApiKeySha256(ApiKeys.sha256(key)).setEnabled(enabled)
                .setCreatedAt(Instant.EPOCH).setUpdatedAt(Instant.EPOCH).build();
    }

    static LedgerEvent admitted(String runId, String tenant, String principal) {
        return LedgerEvent.newBuilder().setRunId(runId).setSeq(1).setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.EPOCH).setTenantId(tenant).setPrincipalId(principal)
                .setPrevHash("0".repeat(64))
                .setPayload(RunAdmitted.newBuilder().setWorkflow("w").setEnvironment("e").setClassification("c")
                        .setRuleId("default").setGrants(Grants.newBuilder().build()).build())
                .build();
    }

    private static final String RUN_BODY = "{\"workflow\":\"research\",\"environment\":\"dev\","
            + "\"classification\":\"Internal\",\"input\":{}}";

    @Test
    void refusesRequestsWithoutAValidKey() {
        HttpApi.Answer none = api.post("/v1/runs", null, RUN_BODY);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(api.post("/v1/runs", ApiKeys.generate(), RUN_BODY).errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(api.post("/v1/runs", "not-a-key", RUN_BODY).status()).isEqualTo(401);
        assertThat(api.send("POST", "/v1/runs", null, RUN_BODY, Map.of("Authorization", "Basic " + AGENT)).status())
                .isEqualTo(401);
        assertThat(api.post("/v1/runs", DISABLED, RUN_BODY).json().path("error").path("message").asText())
                .contains("disabled");
    }

    @Test
    void refusesTheWrongKindOrRole() {
        assertThat(api.post("/v1/runs", HUMAN, RUN_BODY).errorCode()).isEqualTo("FORBIDDEN");
        assertThat(api.post("/v1/identities", AGENT, "{}").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(api.put("/v1/kill-switches/global/x", HUMAN, "{\"reason\":\"r\"}").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(api.put("/v1/policies/default", AGENT, "a: b").errorCode()).isEqualTo("FORBIDDEN");
        assertThat(api.post("/v1/approvals/call-1", AGENT, "{\"decision\":\"approve\"}").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(api.delete("/v1/identities/agent", HUMAN).status()).isEqualTo(403);
    }

    @Test
    void hidesAnotherTenantsRunAndGuardsAnotherPrincipalsRun() {
        String usage = "{\"model\":\"m\",\"inputTokens\":1,\"outputTokens\":2}";
        assertThat(api.post("/v1/runs/" + OTHER_TENANT_RUN + "/usage", AGENT, usage).status()).isEqualTo(404);
        assertThat(api.post("/v1/runs/" + OTHER_AGENT_RUN + "/usage", AGENT, usage).status()).isEqualTo(403);
        assertThat(api.post("/v1/runs/not-a-uuid/usage", AGENT, usage).errorCode()).isEqualTo("NOT_FOUND");
    }

    @Test
    void validatesBodiesWithStableCodes() {
        assertThat(api.post("/v1/runs", AGENT, "{").errorCode()).isEqualTo("INVALID_JSON");
        assertThat(api.post("/v1/runs", AGENT, "[1]").errorCode()).isEqualTo("INVALID_JSON");
        assertThat(api.post("/v1/runs", AGENT, "").errorCode()).isEqualTo("INVALID_JSON");
        HttpApi.Answer missing = api.post("/v1/runs", AGENT, "{\"workflow\":\"research\"}");
        assertThat(missing.errorCode()).isEqualTo("FIELD_REQUIRED");
        assertThat(missing.json().path("error").path("field").asText()).isEqualTo("environment");
        assertThat(api.post("/v1/runs", AGENT, "{\"workflow\":7,\"environment\":\"e\",\"classification\":\"c\"}")
                .errorCode()).isEqualTo("FIELD_INVALID");
        assertThat(api.post("/v1/runs", AGENT, RUN_BODY.replace("{}", "{}, \"budget\": {\"tokens\": -1}"))
                .errorCode()).isEqualTo("FIELD_INVALID");
        assertThat(api.post("/v1/runs", AGENT, "{\"a\":" + "x".repeat(5000) + "}").errorCode())
                .isEqualTo("BODY_TOO_LARGE");
        assertThat(api.post("/v1/runs", AGENT, "{\"a\":" + "x".repeat(5000) + "}").status()).isEqualTo(413);
        // A run that was never admitted (nor requested here) is not the caller's, whatever the body.
        String run = "/v1/runs/" + UUID.randomUUID();
        assertThat(api.post(run + "/tool-calls", AGENT, "{\"tool\":\"echo\",\"args\":[]}").errorCode())
                .isEqualTo("NOT_FOUND");
        assertThat(api.post(run + "/tool-calls?waitMs=soon", AGENT, "{\"tool\":\"echo\",\"args\":{}}").errorCode())
                .isEqualTo("NOT_FOUND");
        assertThat(api.post("/v1/identities", ADMIN, "{\"name\":\"n\",\"kind\":\"robot\",\"tenant\":\"t\"}")
                .errorCode()).isEqualTo("FIELD_INVALID");
        assertThat(api.put("/v1/kill-switches/galaxy/x", ADMIN, "{\"reason\":\"r\"}").errorCode())
                .isEqualTo("FIELD_INVALID");
        HttpApi.Answer badKey = api.post("/v1/identities", ADMIN,
                "{\"name\":\"n\",\"kind\":\"agent\",\"tenant\":\"t\",\"publicKey\":\"bm90IGEga2V5\"}");
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(badKey.errorCode()).isEqualTo("FIELD_INVALID");
        assertThat(badKey.json().path("error").path("field").asText()).isEqualTo("publicKey");
        assertThat(badKey.json().path("error").path("message").asText()).contains("Ed25519");
        assertThat(api.post("/v1/identities", ADMIN, "{\"name\":\"n\",\"kind\":\"agent\",\"tenant\":\"t\","
                + "\"publicKey\":7}").errorCode()).isEqualTo("FIELD_INVALID");
        assertThat(api.put("/v1/identities/agent/public-key", ADMIN, "{\"publicKey\":\"bm90IGEga2V5\"}")
                .errorCode()).isEqualTo("FIELD_INVALID");
        assertThat(api.put("/v1/identities/agent/public-key", ADMIN, "{}").errorCode()).isEqualTo("FIELD_REQUIRED");
        assertThat(api.put("/v1/identities/nobody/public-key", ADMIN, "{\"publicKey\":\"x\"}").errorCode())
                .isEqualTo("NOT_FOUND");
        assertThat(api.delete("/v1/identities/nobody/public-key", ADMIN).errorCode()).isEqualTo("NOT_FOUND");
        assertThat(api.put("/v1/identities/agent/public-key", AGENT, "{\"publicKey\":\"x\"}").errorCode())
                .isEqualTo("FORBIDDEN");
        assertThat(api.post("/v1/runs", AGENT, RUN_BODY.replace("{}", "{}, \"workflow\": \"x\"")).errorCode())
                .isEqualTo("INVALID_JSON");
    }

    @Test
    void answersUnknownRoutesAndMethodsWithJson() {
        HttpApi.Answer unknown = api.get("/v2/nothing", AGENT);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("NOT_FOUND");
        HttpApi.Answer wrongMethod = api.get("/v1/runs", AGENT);
        assertThat(wrongMethod.status()).isBetween(400, 499);
        assertThat(wrongMethod.errorCode()).isNotNull();
    }

    @Test
    void refusesPolicyBundlesWithLineNumbers() {
        HttpApi.Answer broken = api.put("/v1/policies/default", ADMIN, "metadata:\n  name: default\n  version: [\n");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.json().path("error").path("problems").get(0).path("line").asInt()).isGreaterThan(1);
        HttpApi.Answer misnamed = api.put("/v1/policies/other", ADMIN, "metadata:\n  name: default\n  version: 1\n");
        assertThat(misnamed.status()).isEqualTo(400);
        assertThat(misnamed.errorCode()).isEqualTo("POLICY_INVALID");
    }

    @Test
    void answers503WithRetryAfterWhenKafkaIsUnavailable() {
        HttpApi.Answer answer = api.post("/v1/runs", AGENT, RUN_BODY);
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.errorCode()).isEqualTo("UNAVAILABLE");
        assertThat(answer.header("Retry-After")).isEqualTo("5");
    }

    @Test
    void answersMalformedRequestsWithJsonErrorsAndOnlyUnavailableAs5xxWhileKafkaIsDown() {
        MalformedRequests fuzz = new MalformedRequests(api, List.of(ADMIN, AGENT, HUMAN, DISABLED, OTHER_AGENT),
                List.of(OTHER_TENANT_RUN, OTHER_AGENT_RUN, UUID.randomUUID().toString()), 7);
        List<MalformedRequests.Failure> failures = new ArrayList<>(fuzz.sendThroughClient(600));
        failures.addAll(fuzz.sendRaw(100, server.port()));
        failures.removeIf(f -> f.status() == 503 && f.body().contains("\"UNAVAILABLE\""));
        assertThat(failures).isEmpty();
    }

    @Test
    void refusalsJettyMakesBeforeTheRoutesAndWrongMethodsAnswerTheJsonErrorShape() {
        HttpApi.Answer nul = api.get("/v1/runs/x%00", AGENT);
        assertThat(nul.status()).as(nul.body()).isEqualTo(400);
        assertThat(nul.json().path("error").path("code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(nul.json().path("error").path("message").asText()).isNotBlank();

        HttpApi.Answer huge = api.send("GET", "/v1/policies", ADMIN, null, Map.of("X-Padding", "a".repeat(100 * 1024)));
        assertThat(huge.status()).as(huge.body()).isEqualTo(431);
        assertThat(huge.json().path("error").path("code").asText()).isEqualTo("HEADERS_TOO_LARGE");

        HttpApi.Answer wrongMethod = api.send("PATCH", "/v1/runs", AGENT, "{}", Map.of());
        assertThat(wrongMethod.status()).as(wrongMethod.body()).isEqualTo(405);
        assertThat(wrongMethod.errorCode()).isEqualTo("METHOD_NOT_ALLOWED");
        HttpApi.Answer deleteRuns = api.delete("/v1/runs", AGENT);
        assertThat(deleteRuns.status()).as(deleteRuns.body()).isEqualTo(405);
        assertThat(deleteRuns.errorCode()).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void servesHealthAndMetrics() {
        assertThat(api.get("/health", null).status()).isEqualTo(200);
        api.post("/v1/runs", null, RUN_BODY);
        HttpApi.Answer metrics = api.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("tollgate_intake_http_errors_total");
    }
}

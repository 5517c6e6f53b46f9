package dev.tollgate.projector.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.Topics;
import dev.tollgate.projector.fixtures.DriverStores;
import dev.tollgate.projector.fixtures.Http;
import dev.tollgate.projector.fixtures.Http.Answer;
import dev.tollgate.projector.fixtures.ProjectorDriver;
import dev.tollgate.ledger.model.testing.RunLedger;
import dev.tollgate.ledger.model.testing.TestGateway;
import dev.tollgate.projector.verify.LedgerVerifier;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueryApiTest {

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final TestGateway gateway = new TestGateway();
    private ProjectorDriver driver;
    private DriverStores stores;
    private RunLedger acme;
    private RunLedger globex;
    private int port;

    @BeforeEach
    void start() {
        driver = open(new ProjectorDriver());
        identities(driver);
        acme = RunLedger.forTenant("acme");
        acme.admitted();
        acme.approved("c1", "fs.read");
        acme.held("c2", "http.fetch");
        acme.completed("c1", "fs.read", ToolCallStatus.SUCCEEDED, 250,
                gateway.receipt(acme.runId(), "c1", "fs.read", ToolCallStatus.SUCCEEDED));
        acme.stageAdvanced("plan");
        globex = RunLedger.forTenant("globex");
        globex.admitted();
        globex.held("g1", "http.fetch");
        globex.halted(ReasonCode.KILL_SWITCH);
        driver.pipe(acme);
        driver.pipe(globex);
        stores = new DriverStores(driver.driver());
        port = startApi(stores, driver);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        closeables.add(0, closeable);
        return closeable;
    }

    private void identities(ProjectorDriver d) {
        d.identity("agent-acme", "acme", "key-acme", true);
        d.identity("agent-globex", "globex", "key-globex", true);
        d.identity("root", "system", "key-admin", true, "admin");
        d.identity("gone", "acme", "key-off", false);
        d.gatewayKey(gateway.gatewayKey());
    }

    private int startApi(DriverStores s, ProjectorDriver d) {
        Map<String, GatewayKey> keys = Map.of(gateway.keyId(), gateway.gatewayKey());
        LedgerVerifier verifier = new LedgerVerifier(d.serdes().value(Topics.LEDGER).deserializer(),
                id -> Optional.ofNullable(keys.get(id)));
        Javalin app = new QueryApi(s, runId -> verifier.verifyRun(runId, d.rawLedger()), Duration.ofSeconds(5))
                .start("localhost", 0);
        open(app::stop);
        s.self("localhost:" + app.port());
        return app.port();
    }

    private static void assertError(Answer answer, int status, String code) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.body().path("error").path("code").asText()).isEqualTo(code);
        assertThat(answer.body().path("error").path("message").asText()).isNotBlank();
    }

    @Test
    void runViewHasTheDesignShape() {
        Answer answer = Http.get(port, "/v1/runs/" + acme.runId(), "key-acme");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode run = answer.body();
        List<String> fields = new ArrayList<>();
        run.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("runId", "tenantId", "principalId", "workflow", "environment",
                "classification", "status", "policyVersion", "grants", "counters", "spend", "stage", "lastSeq",
                "headHash");
        assertThat(run.path("status").asText()).isEqualTo("ADMITTED");
        assertThat(run.path("counters").toString())
                .isEqualTo("{\"approved\":1,\"denied\":0,\"held\":1,\"completed\":1,\"failed\":0}");
        assertThat(run.path("spend").toString()).isEqualTo("{\"costMicros\":250,\"tokens\":0}");
        assertThat(run.path("stage").asText()).isEqualTo("plan");
        assertThat(run.path("lastSeq").asLong()).isEqualTo(5);
        assertThat(run.path("headHash").asText()).isEqualTo(acme.headHash());
        assertThat(run.path("grants").path("tools").toString()).isEqualTo("[\"fs.read\",\"http.fetch\"]");
    }

    @Test
    void haltedRunsNameTheirHaltReason() {
        Answer answer = Http.get(port, "/v1/runs/" + globex.runId(), "key-globex");
        assertThat(answer.body().path("status").asText()).isEqualTo("HALTED");
        assertThat(answer.body().path("haltReason").asText()).isEqualTo("KILL_SWITCH");
    }

    @Test
    void anotherTenantsRunIsNotFoundButAnAdminSeesEveryTenant() {
        assertError(Http.get(port, "/v1/runs/" + globex.runId(), "key-acme"), 404, "NOT_FOUND");
        assertError(Http.get(port, "/v1/runs/" + globex.runId() + "/events", "key-acme"), 404, "NOT_FOUND");
        assertError(Http.get(port, "/v1/runs/" + globex.runId() + "/verify", "key-acme"), 404, "NOT_FOUND");
        assertError(Http.get(port, "/v1/tool-calls/g1", "key-acme"), 404, "NOT_FOUND");
        assertThat(Http.get(port, "/v1/runs/" + globex.runId(), "key-admin").status()).isEqualTo(200);
        assertThat(Http.get(port, "/v1/tool-calls/g1", "key-admin").status()).isEqualTo(200);
    }

    @Test
    void unknownMissingAndDisabledKeysAreUnauthenticated() {
        assertError(Http.get(port, "/v1/runs/" + acme.runId(), null), 401, "UNAUTHENTICATED");
        assertError(Http.get(port, "/v1/runs/" + acme.runId(), "nope"), 401, "UNAUTHENTICATED");
        assertError(Http.get(port, "/v1/runs/" + acme.runId(), "key-off"), 401, "UNAUTHENTICATED");
        assertError(Http.get(port, "/v1/approvals", "key-off"), 401, "UNAUTHENTICATED");
    }

    @Test
    void unknownRunsRoutesAndMethodsAnswerJsonErrors() {
        assertError(Http.get(port, "/v1/runs/no-such-run", "key-acme"), 404, "NOT_FOUND");
        assertError(Http.get(port, "/v1/nothing-here", "key-acme"), 404, "NOT_FOUND");
        assertError(Http.send("POST", port, "/v1/runs/" + acme.runId(), "key-acme"), 405, "METHOD_NOT_ALLOWED");
        assertError(Http.send("DELETE", port, "/v1/approvals", "key-acme"), 405, "METHOD_NOT_ALLOWED");
    }

    @Test
    void requestsRefusedBeforeTheRoutesStillAnswerTheJsonErrorShape() {
        Answer nul = Http.get(port, "/v1/runs/x%00", "key-acme");
        assertThat(nul.status()).isEqualTo(400);
        assertThat(nul.body().path("error").path("code").asText()).isNotBlank();
        assertThat(nul.body().path("error").path("message").asText()).isNotBlank();

        Answer huge = Http.send("GET", port, "/v1/runs/" + acme.runId(), "key-acme",
                Map.of("X-Padding", "a".repeat(100 * 1024)));
        assertError(huge, 431, "HEADERS_TOO_LARGE");

        assertError(Http.get(port, "/v1/runs/a%20b", "key-acme"), 400, "FIELD_INVALID");
        assertError(Http.get(port, "/v1/tool-calls/c1?runId=a%20b", "key-acme"), 400, "FIELD_INVALID");
    }

    @Test
    void aRotatedApiKeyStopsAuthenticatingAndTheNewOneWorks() {
        driver.identity("agent-acme", "acme", "key-acme-2", true);

        assertError(Http.get(port, "/v1/runs/" + acme.runId(), "key-acme"), 401, "UNAUTHENTICATED");
        assertThat(Http.get(port, "/v1/runs/" + acme.runId(), "key-acme-2").status()).isEqualTo(200);
    }

    @Test
    void heldCallsAreFoundByCallIdWithEveryCandidateOfTheCallersTenant() {
        RunLedger second = RunLedger.forTenant("acme");
        second.admitted();
        second.held("c2", "email.send");
        second.granted("c2");
        driver.pipe(second);

        JsonNode both = Http.get(port, "/v1/held-calls/c2", "key-acme").body().path("heldCalls");
        assertThat(both).hasSize(2);
        assertThat(both.findValuesAsText("runId")).containsExactlyInAnyOrder(acme.runId(), second.runId());
        JsonNode first = Http.get(port, "/v1/held-calls/c2?runId=" + acme.runId(), "key-acme").body()
                .path("heldCalls");
        assertThat(first).singleElement().satisfies(h -> {
            assertThat(h.path("status").asText()).isEqualTo("PENDING");
            assertThat(h.path("runPrincipalId").asText()).isEqualTo("agent-acme");
            assertThat(h.path("approverRoles").get(0).asText()).isEqualTo("approver");
        });
        assertThat(Http.get(port, "/v1/held-calls/c2?runId=" + second.runId(), "key-acme").body()
                .path("heldCalls").get(0).path("status").asText()).isEqualTo("GRANTED");
        assertThat(Http.get(port, "/v1/held-calls/c2", "key-globex").body().path("heldCalls")).isEmpty();
        assertThat(Http.get(port, "/v1/held-calls/g1", "key-admin").body().path("heldCalls")).hasSize(1);
    }

    @Test
    void aRejectedToolCallRequestIsADeniedCallAsOnIntake() {
        acme.rejected("RequestToolCall", "c9", ReasonCode.PRINCIPAL_MISMATCH);
        driver.pipe(acme.events().subList(acme.events().size() - 1, acme.events().size()));

        JsonNode call = Http.get(port, "/v1/tool-calls/c9", "key-acme").body();
        assertThat(call.path("decision").asText()).isEqualTo("DENIED");
        assertThat(call.path("reasons").get(0).path("code").asText()).isEqualTo("PRINCIPAL_MISMATCH");
        assertError(Http.get(port, "/v1/tool-calls/c9", "key-globex"), 404, "NOT_FOUND");
    }

    @Test
    void eventsAreTheRunsLedgerInOrder() {
        Answer answer = Http.get(port, "/v1/runs/" + acme.runId() + "/events", "key-acme");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode events = answer.body();
        assertThat(events).hasSize(5);
        for (int i = 0; i < 5; i++) {
            JsonNode e = events.get(i);
            assertThat(e.path("seq").asLong()).isEqualTo(i + 1);
            assertThat(e.path("prevHash").asText()).isEqualTo(acme.events().get(i).getPrevHash());
            assertThat(e.path("occurredAt").asText()).isEqualTo(acme.events().get(i).getOccurredAt().toString());
        }
        assertThat(events.get(0).path("type").asText()).isEqualTo("RunAdmitted");
        assertThat(events.get(4).path("hash").asText()).isEqualTo(acme.headHash());
        assertThat(events.get(2).path("payload").path("approverRoles").get(0).asText()).isEqualTo("approver");
    }

    @Test
    void toolCallsShowDecisionStatusAndReceipt() {
        JsonNode call = Http.get(port, "/v1/tool-calls/c1", "key-acme").body();
        assertThat(call.path("callId").asText()).isEqualTo("c1");
        assertThat(call.path("runId").asText()).isEqualTo(acme.runId());
        assertThat(call.path("tool").asText()).isEqualTo("fs.read");
        assertThat(call.path("decision").asText()).isEqualTo("APPROVED");
        assertThat(call.path("reasons").isArray()).isTrue();
        assertThat(call.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(call.path("resultSha256").asText()).hasSize(64);
        assertThat(call.path("receipt").path("keyId").asText()).isEqualTo(gateway.keyId());
        JsonNode held = Http.get(port, "/v1/tool-calls/c2", "key-acme").body();
        assertThat(held.path("decision").asText()).isEqualTo("PENDING_APPROVAL");
        assertThat(held.has("status")).isFalse();
    }

    @Test
    void approvalsInboxIsTheCallersTenantsPendingCalls() {
        Answer answer = Http.get(port, "/v1/approvals?status=pending", "key-acme");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).hasSize(1);
        JsonNode entry = answer.body().get(0);
        assertThat(entry.path("callId").asText()).isEqualTo("c2");
        assertThat(entry.path("runId").asText()).isEqualTo(acme.runId());
        assertThat(entry.path("tool").asText()).isEqualTo("http.fetch");
        assertThat(entry.path("args").path("path").asText()).isEqualTo("/tmp/a.txt");
        assertThat(entry.path("approverRoles").get(0).asText()).isEqualTo("approver");
        assertThat(entry.path("expiresAt").asText()).endsWith("Z");
        assertThat(entry.path("requestedBy").asText()).isEqualTo("agent-acme");
        assertThat(Http.get(port, "/v1/approvals", "key-admin").body()).hasSize(2);
        assertError(Http.get(port, "/v1/approvals?status=done", "key-acme"), 400, "FIELD_INVALID");
    }

    @Test
    void theInboxKeepsACallIdHeldInTwoRunsApartByRun() {
        RunLedger second = RunLedger.forTenant("acme");
        second.admitted();
        second.held("c2", "tickets.update");
        driver.pipe(second);
        List<JsonNode> both = new ArrayList<>();
        Http.get(port, "/v1/approvals", "key-acme").body().forEach(both::add);
        assertThat(both).filteredOn(a -> a.path("callId").asText().equals("c2"))
                .extracting(a -> a.path("runId").asText() + " " + a.path("tool").asText())
                .containsExactlyInAnyOrder(acme.runId() + " http.fetch", second.runId() + " tickets.update");

        driver.pipe(second.granted("c2"));
        assertThat(Http.get(port, "/v1/approvals", "key-acme").body()).singleElement().satisfies(a -> {
            assertThat(a.path("callId").asText()).isEqualTo("c2");
            assertThat(a.path("runId").asText()).as("the other run's call is still held").isEqualTo(acme.runId());
        });
    }

    @Test
    void runListsFilterByTenantAndStatusAndPage() {
        RunLedger second = RunLedger.forTenant("acme");
        second.admitted();
        second.runCompleted();
        RunLedger third = RunLedger.forTenant("acme");
        third.admitted();
        driver.pipe(second);
        driver.pipe(third);
        JsonNode all = Http.get(port, "/v1/runs", "key-acme").body();
        assertThat(all.path("runs")).hasSize(3);
        assertThat(all.has("nextCursor")).isFalse();
        JsonNode completed = Http.get(port, "/v1/runs?status=COMPLETED", "key-acme").body();
        assertThat(completed.path("runs")).singleElement()
                .satisfies(r -> assertThat(r.path("runId").asText()).isEqualTo(second.runId()));
        List<String> paged = new ArrayList<>();
        String path = "/v1/runs?limit=2";
        for (int i = 0; i < 3 && path != null; i++) {
            JsonNode page = Http.get(port, path, "key-acme").body();
            page.path("runs").forEach(r -> paged.add(r.path("runId").asText()));
            path = page.has("nextCursor") ? "/v1/runs?limit=2&cursor=" + page.path("nextCursor").asText() : null;
        }
        assertThat(paged).containsExactlyElementsOf(List.of(acme.runId(), second.runId(), third.runId()).stream()
                .sorted().toList());
        assertThat(Http.get(port, "/v1/runs?tenant=globex", "key-admin").body().path("runs")).hasSize(1);
        assertError(Http.get(port, "/v1/runs?tenant=globex", "key-acme"), 403, "FORBIDDEN");
        assertError(Http.get(port, "/v1/runs?status=RUNNING", "key-acme"), 400, "FIELD_INVALID");
        assertError(Http.get(port, "/v1/runs?limit=abc", "key-acme"), 400, "FIELD_INVALID");
        assertError(Http.get(port, "/v1/runs?limit=0", "key-acme"), 400, "FIELD_INVALID");
    }

    @Test
    void verifyRecomputesTheChainFromRawBytes() {
        Answer valid = Http.get(port, "/v1/runs/" + acme.runId() + "/verify", "key-acme");
        assertThat(valid.body().toString()).isEqualTo("{\"valid\":true,\"events\":5,\"headHash\":\""
                + acme.headHash() + "\"}");
        LedgerEvent forged = LedgerEvent.newBuilder(acme.last()).setSeq(6).setEventId("forged")
                .setPrevHash("e".repeat(64)).build();
        driver.pipe(forged);
        JsonNode broken = Http.get(port, "/v1/runs/" + acme.runId() + "/verify", "key-acme").body();
        assertThat(broken.path("valid").asBoolean()).isFalse();
        assertThat(broken.path("events").asLong()).isEqualTo(6);
        assertThat(broken.path("firstBrokenSeq").asLong()).isEqualTo(6);
        assertThat(broken.path("reason").asText()).startsWith("hash mismatch");
    }

    @Test
    void notReadyAnswers503WithRetryAfter() {
        stores.ready(false);
        Answer answer = Http.get(port, "/v1/runs/" + acme.runId(), "key-acme");
        assertError(answer, 503, "UNAVAILABLE");
        assertThat(answer.retryAfter()).isEqualTo("1");
        assertThat(Http.get(port, "/health", null).status()).isEqualTo(503);
        stores.ready(true);
        assertThat(Http.get(port, "/health", null).body().path("status").asText()).isEqualTo("UP");
    }

    @Test
    void aKeyWithoutOwnerDuringARebalanceIs503() {
        stores.owners((store, key) -> ProjectionStores.Owner.UNAVAILABLE);
        Answer answer = Http.get(port, "/v1/runs/" + acme.runId(), "key-acme");
        assertError(answer, 503, "UNAVAILABLE");
        assertThat(answer.retryAfter()).isEqualTo("1");
    }

    @Test
    void aKeyOwnedByAnotherInstanceIsAnsweredByThatInstance() {
        DriverStores otherStores = new DriverStores(driver.driver());
        int otherPort = startApi(otherStores, driver);
        stores.owners((store, key) -> ProjectionStores.Owner.remote("localhost:" + otherPort));

        Answer answer = Http.get(port, "/v1/runs/" + acme.runId(), "key-acme");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.instance()).isEqualTo("localhost:" + otherPort);
        assertThat(answer.body().path("runId").asText()).isEqualTo(acme.runId());
        assertError(Http.get(port, "/v1/runs/" + globex.runId(), "key-acme"), 404, "NOT_FOUND");
        assertError(Http.get(port, "/v1/runs/" + acme.runId(), "nope"), 401, "UNAUTHENTICATED");
    }

    @Test
    void aForwardedRequestIsNeverForwardedAgain() {
        DriverStores otherStores = new DriverStores(driver.driver());
        int otherPort = startApi(otherStores, driver);
        stores.owners((store, key) -> ProjectionStores.Owner.remote("localhost:" + otherPort));
        otherStores.owners((store, key) -> ProjectionStores.Owner.remote("localhost:" + port));
        assertError(Http.get(port, "/v1/runs/" + acme.runId(), "key-acme"), 503, "UNAVAILABLE");
    }

    @Test
    void listsGatherEveryInstancesPart() {
        ProjectorDriver otherDriver = open(new ProjectorDriver());
        identities(otherDriver);
        RunLedger remote = RunLedger.forTenant("acme");
        remote.admitted();
        remote.held("r1", "http.fetch");
        otherDriver.pipe(remote);
        DriverStores otherStores = new DriverStores(otherDriver.driver());
        int otherPort = startApi(otherStores, otherDriver);
        stores.others(List.of("localhost:" + otherPort));
        otherStores.others(List.of("localhost:" + port));

        List<String> runs = new ArrayList<>();
        Http.get(port, "/v1/runs", "key-acme").body().path("runs").forEach(r -> runs.add(r.path("runId").asText()));
        assertThat(runs).containsExactlyInAnyOrder(acme.runId(), remote.runId());
        List<String> calls = new ArrayList<>();
        Http.get(otherPort, "/v1/approvals", "key-acme").body().forEach(a -> calls.add(a.path("callId").asText()));
        assertThat(calls).containsExactlyInAnyOrder("c2", "r1");
    }
}

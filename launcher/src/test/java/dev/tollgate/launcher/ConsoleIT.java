package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.kafka.FreePorts;
import dev.tollgate.launcher.demo.Demo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's pages and forms over HTTP against the whole dev stack (real broker, projector, policy-processor,
 * gateway): tenant isolation of the inbox and the run pages, approving through the form until the call completes,
 * and the admin forms writing identities and kill switches that the read routes then list.
 */
class ConsoleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TempDir
    static Path dataDir;

    private static DevStack stack;
    private static String intake;
    private static String query;
    private static String adminKey;
    private static Demo.HeldCall held;

    @BeforeAll
    static void start() throws Exception {
        adminKey = ApiKeys.generate();
        DevSettings settings = new DevSettings(dataDir, 0, 0, FreePorts.next(), FreePorts.next(), Optional.empty());
        stack = new DevStack(settings, DevComponents.all(adminKey), new PrintWriter(new StringWriter(), true))
                .start();
        intake = "http://127.0.0.1:" + settings.intakePort();
        query = "http://127.0.0.1:" + settings.queryPort();
        held = Demo.leaveHeldCall(intake, query, adminKey,
                stack.kafka().bootstrapServers(), stack.kafka().schemaRegistryUrl());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aLeadOfAnotherTenantSeesNeitherTheHeldCallNorTheRun() throws Exception {
        String key = createIdentity("globex-lead", "human", "globex", "support-lead");
        Browser globex = new Browser();
        assertThat(globex.signIn(key).status).isEqualTo(303);
        // The projector learns the new identity from tollgate.identities.v1 a moment after intake created it.
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Answer page = globex.get("/console/approvals");
            assertThat(page.status).isEqualTo(200);
            assertThat(page.body).doesNotContain(held.callId()).contains("Nothing is waiting for you");
        });
        Answer inbox = globex.get("/console/approvals");
        assertThat(globex.get("/console/runs/" + held.runId()).status).isEqualTo(404);
        assertThat(globex.get("/console/runs").body).doesNotContain(held.runId());
        Answer decide = globex.post("/console/approvals/" + held.runId() + "/" + held.callId(),
                Map.of("csrf", csrf(inbox.body), "decision", "approve"));
        assertThat(decide.status).isEqualTo(404);
    }

    @Test
    void anAgentKeyCannotSignInAndAViewerWithoutTheRoleDoesNotSeeTheCall() throws Exception {
        String agentKey = createIdentity("some-agent", "agent", "acme");
        assertThat(new Browser().signIn(agentKey).status).isEqualTo(403);
        String viewer = createIdentity("acme-viewer", "human", "acme");
        Browser browser = new Browser();
        browser.signIn(viewer);
        // The projector learns the new identity from tollgate.identities.v1 a moment after intake created it.
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                browser.get("/console/approvals").body).doesNotContain("held-" + held.runId() + "-" + held.callId())
                .contains("a role you do not have"));
        Answer run = browser.get("/console/runs/" + held.runId());
        assertThat(run.status).isEqualTo(200);
        assertThat(run.body).contains("ToolCallHeld").contains("valid");
    }

    @Test
    void aSupportLeadApprovesThroughTheFormAndTheRunPageShowsTheOutcome() throws Exception {
        Demo.HeldCall call = Demo.leaveHeldCall(intake, query, adminKey, stack.kafka().bootstrapServers(),
                stack.kafka().schemaRegistryUrl());
        Browser lead = new Browser();
        lead.signIn(call.approverKey());
        Answer inbox = lead.get("/console/approvals");
        assertThat(inbox.body).contains("held-" + call.runId() + "-" + call.callId())
                .contains("bulk-ticket-update-needs-approval");
        Answer approved = lead.post("/console/approvals/" + call.runId() + "/" + call.callId(),
                Map.of("csrf", csrf(inbox.body), "decision", "approve", "reason", "agreed in stand-up"));
        assertThat(approved.status).isEqualTo(303);
        assertThat(lead.get(approved.location).body).contains("Approved call " + call.callId());
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                lead.get("/console/runs/" + call.runId()).body.contains("data-type=\"ToolCallCompleted\""));
        Answer run = lead.get("/console/runs/" + call.runId());
        assertThat(run.body).contains("ApprovalGranted").contains("agreed in stand-up").contains("SUCCEEDED");
        Answer twice = lead.post("/console/approvals/" + call.runId() + "/" + call.callId(),
                Map.of("csrf", csrf(inbox.body), "decision", "deny"));
        assertThat(twice.status).isEqualTo(409);
    }

    @Test
    void anAdminCreatesAnIdentityAndEngagesAndLiftsAKillSwitch() throws Exception {
        String adminPerson = createIdentity("ops-person", "human", "acme", "admin");
        Browser admin = new Browser();
        admin.signIn(adminPerson);
        Answer page = admin.get("/console/admin/identities");
        Answer created = admin.post("/console/admin/identities", Map.of("csrf", csrf(page.body), "name", "new-bot",
                "kind", "agent", "tenant", "acme", "roles", ""));
        assertThat(created.status).isEqualTo(201);
        Matcher key = Pattern.compile("id=\"created-key\" readonly value=\"(tg_[^\"]+)\"").matcher(created.body);
        assertThat(key.find()).as(created.body).isTrue();
        assertThat(admin.get("/console/admin/identities").body).contains("new-bot").doesNotContain(key.group(1));
        JsonNode listed = api("/v1/identities?tenant=acme");
        assertThat(listed.path("identities").toString()).contains("new-bot");

        Answer engaged = admin.post("/console/admin/kill-switches", Map.of("csrf", csrf(page.body),
                "scope", "agent", "target", "new-bot-id", "reason", "testing the switch"));
        assertThat(engaged.status).isEqualTo(200);
        assertThat(engaged.body).contains("Engaged agent:new-bot-id");
        assertThat(api("/v1/kill-switches").toString()).contains("agent:new-bot-id").contains("testing the switch");
        Answer lifted = admin.post("/console/admin/kill-switches/lift", Map.of("csrf", csrf(page.body),
                "scope", "agent", "target", "new-bot-id"));
        assertThat(lifted.body).contains("Lifted agent:new-bot-id");
        assertThat(admin.get("/console/admin/policies").body).contains("latest");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static String createIdentity(String name, String kind, String tenant, String... roles) throws Exception {
        StringJoiner list = new StringJoiner(",", "[", "]");
        for (String role : roles) {
            list.add("\"" + role + "\"");
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(intake + "/v1/identities")).header("Authorization", "Bearer " + adminKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"kind\":\"" + kind
                        + "\",\"tenant\":\"" + tenant + "\",\"roles\":" + list + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).path("apiKey").asText();
    }

    private static JsonNode api(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(intake + path)).header("Authorization", "Bearer " + adminKey).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String csrf(String page) {
        Matcher matcher = CSRF.matcher(page);
        assertThat(matcher.find()).as("a CSRF field on:\n" + page).isTrue();
        return matcher.group(1);
    }

    private record Answer(int status, String location, String body) {
    }

    /** A browser without JavaScript: keeps cookies, never follows redirects. */
    private static final class Browser {
        private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        private final Map<String, String> cookies = new LinkedHashMap<>();

        Answer signIn(String key) throws Exception {
            return post("/console/sign-in", Map.of("csrf", csrf(get("/console/sign-in").body), "apiKey", key));
        }

        Answer get(String path) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(intake + path)).GET());
        }

        Answer post(String path, Map<String, String> form) throws Exception {
            StringJoiner body = new StringJoiner("&");
            form.forEach((k, v) -> body.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
            return send(HttpRequest.newBuilder(URI.create(intake + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        }

        private Answer send(HttpRequest.Builder request) throws Exception {
            if (!cookies.isEmpty()) {
                StringJoiner header = new StringJoiner("; ");
                cookies.forEach((k, v) -> header.add(k + "=" + v));
                request.header("Cookie", header.toString());
            }
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (String cookie : response.headers().allValues("Set-Cookie")) {
                String[] pair = cookie.split(";", 2)[0].split("=", 2);
                if (pair[1].isEmpty()) {
                    cookies.remove(pair[0]);
                } else {
                    cookies.put(pair[0], pair[1]);
                }
            }
            return new Answer(response.statusCode(), response.headers().firstValue("Location").orElse(""),
                    response.body());
        }
    }
}

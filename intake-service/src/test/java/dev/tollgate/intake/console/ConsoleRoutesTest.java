package dev.tollgate.intake.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.Grants;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.RunAdmitted;
import dev.tollgate.events.ToolCallHeld;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.IntakeConfig;
import dev.tollgate.intake.IntakeRoutes;
import dev.tollgate.intake.admin.KillSwitchAdmin;
import dev.tollgate.intake.admin.KillSwitchIndex;
import dev.tollgate.intake.admin.PolicyAdmin;
import dev.tollgate.intake.admin.PolicyIndex;
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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's pages and forms with Kafka and the projector out of reach (a producer pointed at a closed port, a
 * query URL nobody serves): sign-in and its refusals, the session cookie, CSRF, session expiry, admin-only pages,
 * the approval checks, and the pages that need no projector. The same routes run against the whole dev stack in
 * the launcher's {@code ConsoleIT} and {@code ConsoleBrowserIT}.
 */
class ConsoleRoutesTest {

    private static final String LEAD = ApiKeys.generate();
    private static final String OTHER_LEAD = ApiKeys.generate();
    private static final String VIEWER = ApiKeys.generate();
    private static final String ADMIN = ApiKeys.generate();
    private static final String AGENT = ApiKeys.generate();
    private static final String SERVICE = ApiKeys.generate();
    private static final String DISABLED = ApiKeys.generate();
    private static final String RUN = UUID.randomUUID().toString();
    private static final String OTHER_RUN = UUID.randomUUID().toString();
    private static final Instant START = Instant.now();

    private static final AtomicReference<Instant> NOW = new AtomicReference<>(START);
    private static final List<AutoCloseable> CLOSE = new ArrayList<>();
    private static Javalin server;

    /** A clock the test moves. */
    private static final Clock CLOCK = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return NOW.get();
        }
    };

    @BeforeAll
    static void start() {
        IntakeConfig config = IntakeConfig.of(Map.of("bootstrap.servers", "localhost:1", "http.port", "0",
                "http.host", "127.0.0.1", "produce.timeout.ms", "1000"));
        TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());
        Publisher publisher = new Publisher(KafkaSettings.producer(config, "console-test"), serdes);
        CLOSE.add(publisher);
        IdentityIndex identities = new IdentityIndex(serdes);
        identities.apply(identity("lead", PrincipalKind.HUMAN, "acme", List.of("support-lead"), LEAD, true), 1);
        identities.apply(identity("other-lead", PrincipalKind.HUMAN, "globex", List.of("support-lead"), OTHER_LEAD,
                true), 2);
        identities.apply(identity("viewer", PrincipalKind.HUMAN, "acme", List.of(), VIEWER, true), 3);
        identities.apply(identity("admin", PrincipalKind.HUMAN, "acme", List.of("admin"), ADMIN, true), 4);
        identities.apply(identity("agent", PrincipalKind.AGENT, "acme", List.of("support-lead"), AGENT, true), 5);
        identities.apply(identity("svc", PrincipalKind.SERVICE, "acme", List.of("admin"), SERVICE, true), 6);
        identities.apply(identity("gone", PrincipalKind.HUMAN, "acme", List.of("admin"), DISABLED, false), 7);
        LedgerWatcher ledger = new LedgerWatcher(serdes, 1000, 10);
        ledger.onEvent(admitted(RUN, "acme", "agent"));
        ledger.onEvent(held(RUN, "acme", "agent", 2, "call-1"));
        ledger.onEvent(admitted(OTHER_RUN, "globex", "globex-agent"));
        ledger.onEvent(held(OTHER_RUN, "globex", "globex-agent", 2, "call-9"));
        KillSwitchIndex killSwitches = new KillSwitchIndex(serdes);
        killSwitches.apply(KillSwitch.newBuilder().setScope(KillSwitchScope.AGENT).setTarget("agent-7")
                .setEngaged(true).setReason("looping on refunds").setUpdatedAt(START).setUpdatedBy("admin").build());
        PolicyIndex policies = new PolicyIndex(serdes);
        policies.apply(PolicyBundle.newBuilder().setName("default").setVersion("2026.12.05-1")
                .setSha256("ab".repeat(32))
                .setYaml("metadata:\n  name: default\n  version: \"<b>2026.12.05-1</b>\"\n").setPublishedAt(START)
                .setPublishedBy("tollgate dev").build());
        RateLimiter rateLimiter = new RateLimiter(1000, 1000, System::nanoTime);
        IntakeRoutes.Deps deps = new IntakeRoutes.Deps(config, identities, new IdentityAdmin(publisher, CLOCK), ledger,
                publisher, new KillSwitchAdmin(publisher, CLOCK), new PolicyAdmin(publisher, CLOCK), rateLimiter,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> true, CLOCK, ProjectorLookup.NONE);
        ConsoleRoutes.Deps console = new ConsoleRoutes.Deps(identities, deps.identityAdmin(), deps.killSwitches(),
                killSwitches, policies, new LedgerApprovals(ledger, publisher, CLOCK), "http://127.0.0.1:1",
                Duration.ofMinutes(30), rateLimiter, CLOCK);
        server = IntakeRoutes.create(deps, cfg -> CLOSE.add(ConsoleRoutes.register(cfg, console))).start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        for (AutoCloseable c : CLOSE) {
            c.close();
        }
    }

    private static ConsoleClient browser() {
        return new ConsoleClient("http://127.0.0.1:" + server.port());
    }

    @Test
    void signInPageHasALabelledKeyFieldAndACsrfToken() {
        ConsoleClient.Page page = browser().get("/console/sign-in");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<label for=\"apiKey\">API key</label>").contains("type=\"password\"");
        assertThat(page.csrf()).hasSizeGreaterThan(30);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'none'").contains("frame-ancestors 'none'");
    }

    @Test
    void aPersonSignsInAndGetsAStrictHttpOnlySessionCookieWithoutTheKey() {
        ConsoleClient browser = browser();
        ConsoleClient.Page answer = browser.signIn(LEAD);
        assertThat(answer.status()).isEqualTo(303);
        assertThat(answer.location()).isEqualTo("/console/approvals");
        String cookie = answer.setCookies().stream().filter(c -> c.startsWith(ConsoleRoutes.SESSION_COOKIE + "="))
                .findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/console")
                .doesNotContain("Secure").doesNotContain(LEAD);
        assertThat(browser.cookies.values()).doesNotContain(LEAD);
    }

    @Test
    void theSessionCookieIsSecureBehindTls() {
        ConsoleClient browser = browser();
        ConsoleClient.Page form = browser.get("/console/sign-in");
        ConsoleClient.Page answer = browser.post("/console/sign-in", Map.of("csrf", form.csrf(), "apiKey", LEAD),
                Map.of("X-Forwarded-Proto", "https"));
        assertThat(answer.setCookies()).anySatisfy(c -> assertThat(c)
                .startsWith(ConsoleRoutes.SESSION_COOKIE + "=").contains("Secure"));
    }

    @Test
    void agentAndServiceKeysCannotSignIn() {
        ConsoleClient.Page agent = browser().signIn(AGENT);
        assertThat(agent.status()).isEqualTo(403);
        assertThat(agent.body()).contains("Only people can sign in").contains("an agent");
        assertThat(agent.setCookies()).noneMatch(c -> c.startsWith(ConsoleRoutes.SESSION_COOKIE + "="));
        ConsoleClient.Page service = browser().signIn(SERVICE);
        assertThat(service.status()).isEqualTo(403);
        assertThat(service.body()).contains("a service");
    }

    @Test
    void unknownMalformedAndDisabledKeysAreRefused() {
        assertThat(browser().signIn(ApiKeys.generate()).status()).isEqualTo(401);
        assertThat(browser().signIn("<script>alert(1)</script>").body()).doesNotContain("<script>alert");
        assertThat(browser().signIn(DISABLED).status()).isEqualTo(401);
        assertThat(browser().signIn("").status()).isEqualTo(400);
    }

    @Test
    void signInWithoutItsCsrfTokenIsRefused() {
        ConsoleClient browser = browser();
        browser.get("/console/sign-in");
        ConsoleClient.Page answer = browser.post("/console/sign-in", Map.of("csrf", "forged", "apiKey", LEAD));
        assertThat(answer.status()).isEqualTo(403);
        ConsoleClient.Page noCookie = browser().post("/console/sign-in", Map.of("csrf", "x", "apiKey", LEAD));
        assertThat(noCookie.status()).isEqualTo(403);
    }

    @Test
    void pagesNeedASessionAndSayWhenItEnded() {
        ConsoleClient.Page anonymous = browser().get("/console/approvals");
        assertThat(anonymous.status()).isEqualTo(303);
        assertThat(anonymous.location()).isEqualTo("/console/sign-in");
        ConsoleClient browser = browser();
        browser.cookies.put(ConsoleRoutes.SESSION_COOKIE, "made-up");
        assertThat(browser.get("/console/runs").location()).isEqualTo("/console/sign-in?ended=1");
        assertThat(browser().get("/console/sign-in?ended=1").body()).contains("Your session has ended");
    }

    @Test
    void anExpiredSessionEndsAndSendsThePersonToSignIn() {
        ConsoleClient browser = browser();
        browser.signIn(LEAD);
        ConsoleClient.Page before = browser.get("/console/admin/identities");
        assertThat(before.status()).isEqualTo(403);
        NOW.updateAndGet(t -> t.plus(Duration.ofMinutes(31)));
        try {
            ConsoleClient.Page after = browser.get("/console/approvals");
            assertThat(after.status()).isEqualTo(303);
            assertThat(after.location()).isEqualTo("/console/sign-in?ended=1");
            ConsoleClient.Page live = browser.events("/console/approvals/live");
            assertThat(live.body()).contains("event: signed-out");
        } finally {
            NOW.set(START);
        }
    }

    @Test
    void signOutEndsTheSessionAndNeedsItsCsrfToken() {
        ConsoleClient browser = browser();
        browser.signIn(ADMIN);
        ConsoleClient.Page page = browser.get("/console/admin/kill-switches");
        assertThat(page.status()).isEqualTo(200);
        ConsoleClient.Page forged = browser.post("/console/sign-out", Map.of("csrf", "forged"));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(browser.get("/console/admin/kill-switches").status()).isEqualTo(200);
        String session = browser.cookies.get(ConsoleRoutes.SESSION_COOKIE);
        ConsoleClient.Page out = browser.post("/console/sign-out", Map.of("csrf", page.csrf()));
        assertThat(out.status()).isEqualTo(303);
        assertThat(out.location()).isEqualTo("/console/sign-in?out=1");
        browser.cookies.put(ConsoleRoutes.SESSION_COOKIE, session);
        assertThat(browser.get("/console/admin/kill-switches").location()).isEqualTo("/console/sign-in?ended=1");
    }

    @Test
    void formsFromAnotherOriginOrWithoutTheTokenAreRefused() {
        ConsoleClient browser = browser();
        browser.signIn(LEAD);
        ConsoleClient.Page denied = browser.post("/console/approvals/" + RUN + "/call-1",
                Map.of("decision", "approve", "reason", "ok"));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body()).contains("did not come from this console");
        ConsoleClient.Page other = browser.post("/console/approvals/" + RUN + "/call-1",
                Map.of("decision", "approve", "csrf", "whatever"), Map.of("Origin", "https://evil.example"));
        assertThat(other.status()).isEqualTo(403);
    }

    @Test
    void approvalsKeepToTheTenantTheRoleAndTheRun() {
        ConsoleClient lead = browser();
        lead.signIn(LEAD);
        String csrf = lead.get("/console/admin/identities").csrf();
        ConsoleClient.Page otherTenant = lead.post("/console/approvals/" + OTHER_RUN + "/call-9",
                Map.of("decision", "approve", "csrf", csrf));
        assertThat(otherTenant.status()).isEqualTo(404);
        ConsoleClient.Page wrongRun = lead.post("/console/approvals/" + OTHER_RUN + "/call-1",
                Map.of("decision", "approve", "csrf", csrf));
        assertThat(wrongRun.status()).isEqualTo(404);
        ConsoleClient.Page badDecision = lead.post("/console/approvals/" + RUN + "/call-1",
                Map.of("decision", "maybe", "csrf", csrf));
        assertThat(badDecision.status()).isEqualTo(400);

        ConsoleClient viewer = browser();
        viewer.signIn(VIEWER);
        String viewerCsrf = viewer.get("/console/admin/identities").csrf();
        ConsoleClient.Page noRole = viewer.post("/console/approvals/" + RUN + "/call-1",
                Map.of("decision", "approve", "csrf", viewerCsrf));
        assertThat(noRole.status()).isEqualTo(403);
        assertThat(noRole.body()).contains("support-lead");
    }

    @Test
    void anAcceptedDecisionNeedsKafkaAndSaysSoWhenItIsAway() {
        ConsoleClient lead = browser();
        lead.signIn(LEAD);
        String csrf = lead.get("/console/admin/identities").csrf();
        ConsoleClient.Page answer = lead.post("/console/approvals/" + RUN + "/call-1",
                Map.of("decision", "approve", "reason", "fine", "csrf", csrf));
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    }

    @Test
    void inboxAndRunPagesSayWhenTheProjectorIsAway() {
        ConsoleClient lead = browser();
        lead.signIn(LEAD);
        ConsoleClient.Page inbox = lead.get("/console/approvals");
        assertThat(inbox.status()).isEqualTo(503);
        assertThat(inbox.body()).contains("cannot be reached").contains("Sign out");
        assertThat(lead.get("/console/runs/%3Cscript%3E").status()).isEqualTo(404);
    }

    @Test
    void adminPagesAreForAdminsAndListWhatIsKnown() {
        ConsoleClient lead = browser();
        lead.signIn(LEAD);
        assertThat(lead.get("/console/admin/identities").status()).isEqualTo(403);
        assertThat(lead.get("/console/admin/policies").status()).isEqualTo(403);

        ConsoleClient admin = browser();
        admin.signIn(ADMIN);
        ConsoleClient.Page identities = admin.get("/console/admin/identities");
        assertThat(identities.status()).isEqualTo(200);
        assertThat(identities.body()).contains("other-lead").contains("disabled").contains("Create an identity");
        ConsoleClient.Page switches = admin.get("/console/admin/kill-switches");
        assertThat(switches.body()).contains("agent:agent-7").contains("looping on refunds").contains("Lift");
        ConsoleClient.Page policies = admin.get("/console/admin/policies/default/2026.12.05-1");
        assertThat(policies.status()).isEqualTo(200);
        assertThat(policies.body()).contains("&lt;b&gt;2026.12.05-1&lt;/b&gt;").doesNotContain("<b>2026");
        assertThat(admin.get("/console/admin/policies/default/0.0").status()).isEqualTo(404);
    }

    @Test
    void adminFormsValidateBeforeWriting() {
        ConsoleClient admin = browser();
        admin.signIn(ADMIN);
        String csrf = admin.get("/console/admin/identities").csrf();
        ConsoleClient.Page noName = admin.post("/console/admin/identities",
                Map.of("csrf", csrf, "name", "", "kind", "human", "tenant", "acme"));
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.body()).contains("Give the identity a name");
        ConsoleClient.Page noReason = admin.post("/console/admin/kill-switches",
                Map.of("csrf", csrf, "scope", "agent", "target", "agent-7", "reason", ""));
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.body()).contains("Say why");
        ConsoleClient.Page forged = admin.post("/console/admin/kill-switches",
                Map.of("csrf", "forged", "scope", "global", "reason", "x"));
        assertThat(forged.status()).isEqualTo(403);
        ConsoleClient.Page unknown = admin.post("/console/admin/identities/nobody/disable", Map.of("csrf", csrf));
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void assetsAreServedAndNothingElse() {
        ConsoleClient.Page css = browser().get("/console/assets/console.css");
        assertThat(css.status()).isEqualTo(200);
        assertThat(css.headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
        assertThat(browser().get("/console/assets/console.js").body()).contains("EventSource");
        assertThat(browser().get("/console/assets/..%2FIntakeApp.class").status()).isEqualTo(404);
        assertThat(browser().get("/console/nothing/here").body()).contains("There is no such page");
    }

    // ---- fixtures -----------------------------------------------------------------------------------------------

    static Identity identity(String id, PrincipalKind kind, String tenant, List<String> roles, String key,
                             boolean enabled) {
        return Identity.newBuilder().setPrincipalId(id).setName(id).setKind(kind).setTenantId(tenant)
                .setRoles(roles).setApiKeySha256(ApiKeys.sha256(key)).setEnabled(enabled)
                .setCreatedAt(Instant.EPOCH).setUpdatedAt(Instant.EPOCH).build();
    }

    static LedgerEvent admitted(String runId, String tenant, String principal) {
        return event(runId, tenant, principal, 1, RunAdmitted.newBuilder().setWorkflow("w").setEnvironment("e")
                .setClassification("c").setRuleId("default").setGrants(Grants.newBuilder().build()).build());
    }

    static LedgerEvent held(String runId, String tenant, String principal, long seq, String callId) {
        return event(runId, tenant, principal, seq, ToolCallHeld.newBuilder().setCallId(callId)
                .setTool("tickets.update").setArgsJson("{}").setArgsSha256("0".repeat(64))
                .setApproverRoles(List.of("support-lead")).setExpiresAt(START.plus(Duration.ofMinutes(30)))
                .build());
    }

    private static LedgerEvent event(String runId, String tenant, String principal, long seq, Object payload) {
        return LedgerEvent.newBuilder().setRunId(runId).setSeq(seq).setEventId(UUID.randomUUID().toString())
                .setOccurredAt(START).setTenantId(tenant).setPrincipalId(principal).setPrevHash("0".repeat(64))
                .setPayload(payload).build();
    }
}

package dev.tollgate.intake.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.intake.admin.KillSwitchAdmin;
import dev.tollgate.intake.admin.KillSwitchIndex;
import dev.tollgate.intake.admin.PolicyIndex;
import dev.tollgate.intake.http.ApiException;
import dev.tollgate.intake.http.JsonBody;
import dev.tollgate.intake.http.RateLimiter;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.intake.identity.IdentityAdmin;
import dev.tollgate.intake.identity.IdentityIndex;
import dev.tollgate.intake.identity.Principal;
import dev.tollgate.intake.console.ConsoleViews.Frame;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console at {@code /console} (DESIGN.md, "HTTP API"): server-rendered pages for people, on the intake
 * port. A person signs in with a human principal's API key, which is exchanged for a session cookie (HttpOnly,
 * SameSite=Strict, Secure over TLS) and kept only in this server's memory; every form carries a CSRF token. Run
 * data is read server-side from the ledger projector's query API with the person's own key, so tenant isolation
 * is the API's. Approvals are decided through {@link ConsoleApprovals}; admin forms write identities and kill
 * switches with the same admin code as the API. Live pages (the inbox, a run) get server-sent events: the server
 * polls the projector once a second per open page and pushes the re-rendered part when it changed.
 *
 * <p>Writes (through its dependencies) {@code tollgate.commands.v1}, {@code tollgate.identities.v1} and
 * {@code tollgate.kill-switches.v1}; reads the identity view, the kill-switch and policy views, and the projector.
 */
public final class ConsoleRoutes {

    /** What the console needs. */
    public record Deps(IdentityIndex identities, IdentityAdmin identityAdmin, KillSwitchAdmin killSwitchAdmin,
                       KillSwitchIndex killSwitches, PolicyIndex policies, ConsoleApprovals approvals,
                       String queryUrl, Duration sessionLifetime, RateLimiter rateLimiter, Clock clock) {
    }

    static final String SESSION_COOKIE = "tollgate_console";
    static final String SIGN_IN_COOKIE = "tollgate_console_sign_in";
    static final String BASE = "/console";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);
    private static final Duration LIVE_PERIOD = Duration.ofSeconds(1);
    private static final Duration LIVE_REFRESH = Duration.ofSeconds(20);
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final Map<String, String> ASSETS = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8");

    private final Deps deps;
    private final ConsoleSessions sessions;
    private final ProjectorClient projector;
    private final ConsolePages pages;
    private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
    private final ScheduledExecutorService live;

    private ConsoleRoutes(Deps deps) {
        this.deps = deps;
        this.sessions = new ConsoleSessions(deps.clock(), deps.sessionLifetime(), 10_000);
        this.projector = new ProjectorClient(deps.queryUrl());
        this.pages = new ConsolePages(projector, deps.identities(), deps.clock());
        this.live = Executors.newScheduledThreadPool(1, r -> {
            Thread thread = new Thread(r, "tollgate-console-live");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Registers the console's routes on a Javalin config; returns what must be closed with the server. */
    public static AutoCloseable register(JavalinConfig config, Deps deps) {
        ConsoleRoutes console = new ConsoleRoutes(deps);
        var routes = config.routes;
        routes.get(BASE, ctx -> ctx.redirect(BASE + "/approvals", HttpStatus.SEE_OTHER));
        routes.get(BASE + "/assets/{file}", console::asset);
        routes.get(BASE + "/sign-in", console.page(console::signInPage));
        routes.post(BASE + "/sign-in", console.page(console::signIn));
        routes.post(BASE + "/sign-out", console.page(console::signOut));
        routes.get(BASE + "/approvals", console.page(console::inbox));
        routes.sse(BASE + "/approvals/live", console::inboxLive);
        routes.post(BASE + "/approvals/{runId}/{callId}", console.page(console::decide));
        routes.get(BASE + "/runs", console.page(console::runs));
        routes.get(BASE + "/runs/{runId}", console.page(console::run));
        routes.sse(BASE + "/runs/{runId}/live", console::runLive);
        routes.get(BASE + "/admin/identities", console.page(console::identities));
        routes.post(BASE + "/admin/identities", console.page(console::createIdentity));
        routes.post(BASE + "/admin/identities/{principalId}/disable", console.page(console::disableIdentity));
        routes.get(BASE + "/admin/kill-switches", console.page(console::killSwitches));
        routes.post(BASE + "/admin/kill-switches", console.page(console::engageKillSwitch));
        routes.post(BASE + "/admin/kill-switches/lift", console.page(console::liftKillSwitch));
        routes.get(BASE + "/admin/policies", console.page(console::policies));
        routes.get(BASE + "/admin/policies/{name}/{version}", console.page(console::policies));
        routes.get(BASE + "/*", console.page(ctx -> {
            throw new Refused(404, "There is no such page.");
        }));
        return () -> console.live.shutdownNow();
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    /** A page handler: runs with the console's headers; every failure becomes an HTML page, never JSON or a 500. */
    @FunctionalInterface
    private interface PageHandler {
        void handle(Context ctx) throws Exception;
    }

    /** A refusal rendered as a page with its status. */
    static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private io.javalin.http.Handler page(PageHandler handler) {
        return ctx -> {
            headers(ctx);
            try {
                handler.handle(ctx);
            } catch (Refused e) {
                errorPage(ctx, e.status, e.getMessage());
            } catch (ProjectorClient.Failure e) {
                errorPage(ctx, e.status() == 404 ? 404 : e.status() >= 500 ? 503 : e.status(), e.getMessage());
            } catch (ApiException e) {
                errorPage(ctx, e.code().status(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("console failure on {} {}", ctx.method(), ctx.path(), e);
                errorPage(ctx, 503, "Something went wrong on our side. Try again in a moment.");
            }
        };
    }

    private static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cache-Control", "no-store");
    }

    private void render(Context ctx, int status, String template, Map<String, Object> params) {
        StringOutput out = new StringOutput();
        templates.render("console/" + template + ".jte", params, out);
        ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
    }

    private String fragment(String template, Map<String, Object> params) {
        StringOutput out = new StringOutput();
        templates.render("console/" + template + ".jte", params, out);
        return out.toString();
    }

    private void errorPage(Context ctx, int status, String message) {
        Optional<Person> person = person(ctx);
        if (person.isEmpty()) {
            render(ctx, status, "signIn", Map.of("page", new ConsoleViews.SignIn(signInToken(ctx), message, null)));
            return;
        }
        render(ctx, status, "error", Map.of("frame", frame(person.get(), "Problem", "", null, null),
                "error", new ConsoleViews.ErrorPage(status, message)));
    }

    private void asset(Context ctx) throws IOException {
        String file = ctx.pathParam("file");
        String type = ASSETS.get(file);
        if (type == null) {
            headers(ctx);
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such file");
            return;
        }
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream("/console/assets/" + file)) {
            if (in == null) {
                ctx.status(404).contentType("text/plain; charset=utf-8").result("no such file");
                return;
            }
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Cache-Control", "public, max-age=300");
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    // ---- sessions -----------------------------------------------------------------------------------------------

    /** A signed-in person: the session and the principal as the identity view knows it now. */
    record Person(String sessionId, ConsoleSessions.Session session, Principal principal) {
    }

    private Optional<Person> person(Context ctx) {
        String id = ctx.cookie(SESSION_COOKIE);
        Optional<ConsoleSessions.Session> session = sessions.find(id);
        if (session.isEmpty()) {
            return Optional.empty();
        }
        Optional<Identity> identity = deps.identities().byPrincipalId(session.get().principalId());
        if (identity.isEmpty() || !identity.get().getEnabled() || identity.get().getKind() != PrincipalKind.HUMAN) {
            sessions.close(id);
            return Optional.empty();
        }
        return Optional.of(new Person(id, session.get(), Principal.of(identity.get())));
    }

    /** The signed-in person, or a redirect to the sign-in page (saying why when a session cookie was sent). */
    private Optional<Person> requirePerson(Context ctx) {
        Optional<Person> person = person(ctx);
        if (person.isEmpty()) {
            boolean hadCookie = ctx.cookie(SESSION_COOKIE) != null;
            if (hadCookie) {
                clearCookie(ctx, SESSION_COOKIE, BASE);
            }
            ctx.redirect(BASE + "/sign-in" + (hadCookie ? "?ended=1" : ""), HttpStatus.SEE_OTHER);
        }
        return person;
    }

    private Person requireAdmin(Context ctx, Person person) {
        if (!person.principal().isAdmin()) {
            throw new Refused(403, "This page is for people with the admin role.");
        }
        return person;
    }

    /** Refuses a form whose CSRF token is not the session's, or that another origin sent. */
    private void checkForm(Context ctx, String expected) {
        String origin = ctx.header("Origin");
        if (origin != null && !origin.equals("null") && !origin.equals(ctx.scheme() + "://" + ctx.host())) {
            throw new Refused(403, "The form was sent from another site and was refused.");
        }
        if (!ConsoleSessions.same(expected, ctx.formParam("csrf"))) {
            throw new Refused(403, "The form had expired or did not come from this console. Reload the page and "
                    + "try again.");
        }
    }

    private static boolean secure(Context ctx) {
        return "https".equalsIgnoreCase(ctx.scheme())
                || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }

    private static void setCookie(Context ctx, String name, String value, String path, int maxAgeSeconds) {
        ctx.cookie(new Cookie(name, value, path, maxAgeSeconds, secure(ctx), true, null, SameSite.STRICT));
    }

    private static void clearCookie(Context ctx, String name, String path) {
        setCookie(ctx, name, "", path, 0);
    }

    private String signInToken(Context ctx) {
        String token = ConsoleSessions.token();
        setCookie(ctx, SIGN_IN_COOKIE, token, BASE + "/sign-in", 1800);
        return token;
    }

    private Frame frame(Person person, String title, String section, String notice, String problem) {
        Principal p = person.principal();
        return new Frame(title, p.name(), p.principalId(), p.tenantId(),
                p.roles().isEmpty() ? "no roles" : String.join(", ", p.roles()), p.isAdmin(),
                person.session().csrf(), section, notice, problem);
    }

    // ---- sign-in and sign-out -----------------------------------------------------------------------------------

    private void signInPage(Context ctx) {
        if (person(ctx).isPresent()) {
            ctx.redirect(BASE + "/approvals", HttpStatus.SEE_OTHER);
            return;
        }
        String notice = ctx.queryParam("ended") != null ? "Your session has ended. Sign in again to continue."
                : ctx.queryParam("out") != null ? "You are signed out." : null;
        render(ctx, 200, "signIn", Map.of("page", new ConsoleViews.SignIn(signInToken(ctx), null, notice)));
    }

    private void signIn(Context ctx) {
        if (!ConsoleSessions.same(ctx.cookie(SIGN_IN_COOKIE), ctx.formParam("csrf"))) {
            throw new Refused(403, "The sign-in form had expired or did not come from this console. Try again.");
        }
        if (!deps.rateLimiter().tryAcquire("console-sign-in:" + ctx.ip())) {
            throw new Refused(429, "Too many sign-in attempts. Wait a moment and try again.");
        }
        String key = Optional.ofNullable(ctx.formParam("apiKey")).map(String::trim).orElse("");
        if (key.isEmpty()) {
            throw new Refused(400, "Enter your API key.");
        }
        Identity identity = ApiKeys.wellFormed(key) ? deps.identities().byApiKey(key).orElse(null) : null;
        if (identity == null || !identity.getEnabled()) {
            throw new Refused(401, "That API key is not valid, or its identity is disabled.");
        }
        if (identity.getKind() != PrincipalKind.HUMAN) {
            LOG.info("console sign-in refused for {} principal {}", identity.getKind(), identity.getPrincipalId());
            throw new Refused(403, "Only people can sign in to the console. This key belongs to "
                    + (identity.getKind() == PrincipalKind.AGENT ? "an agent" : "a service") + ".");
        }
        String id = sessions.open(identity.getPrincipalId(), key);
        clearCookie(ctx, SIGN_IN_COOKIE, BASE + "/sign-in");
        setCookie(ctx, SESSION_COOKIE, id, BASE, (int) deps.sessionLifetime().toSeconds());
        LOG.info("console sign-in by {} of tenant {}", identity.getPrincipalId(), identity.getTenantId());
        ctx.redirect(BASE + "/approvals", HttpStatus.SEE_OTHER);
    }

    private void signOut(Context ctx) {
        Optional<Person> person = person(ctx);
        if (person.isPresent()) {
            checkForm(ctx, person.get().session().csrf());
            sessions.close(person.get().sessionId());
            LOG.info("console sign-out by {}", person.get().principal().principalId());
        }
        clearCookie(ctx, SESSION_COOKIE, BASE);
        ctx.redirect(BASE + "/sign-in?out=1", HttpStatus.SEE_OTHER);
    }

    // ---- approvals ----------------------------------------------------------------------------------------------

    private void inbox(Context ctx) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        Frame frame = frame(person.get(), "Approvals", "approvals", ctx.queryParam("done"), null);
        render(ctx, 200, "approvals", Map.of("frame", frame, "inbox", pages.inbox(person.get())));
    }

    private void decide(Context ctx) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        checkForm(ctx, person.get().session().csrf());
        String decision = Optional.ofNullable(ctx.formParam("decision")).orElse("");
        if (!decision.equals("approve") && !decision.equals("deny")) {
            throw new Refused(400, "Choose approve or deny.");
        }
        String reason = Optional.ofNullable(ctx.formParam("reason")).map(String::trim).orElse("");
        if (reason.length() > 2000) {
            throw new Refused(400, "The reason is longer than 2000 characters.");
        }
        String runId = ctx.pathParam("runId");
        String callId = ctx.pathParam("callId");
        if (!JsonBody.IDENT.matcher(runId).matches() || !JsonBody.IDENT.matcher(callId).matches()) {
            throw new Refused(404, "No call held for approval with that id.");
        }
        ConsoleApprovals.Outcome outcome = deps.approvals().decide(person.get().principal(), runId, callId,
                decision.equals("approve"), reason);
        if (!outcome.accepted()) {
            throw new Refused(outcome.status(), outcome.message());
        }
        LOG.info("console approval {} of call {} by {}", decision, callId, person.get().principal().principalId());
        ctx.redirect(BASE + "/approvals?done=" + URLEncoder.encode(outcome.message(), StandardCharsets.UTF_8),
                HttpStatus.SEE_OTHER);
    }

    private void inboxLive(SseClient client) {
        Context ctx = client.ctx();
        headers(ctx);
        Optional<Person> person = person(ctx);
        if (person.isEmpty()) {
            client.sendEvent("signed-out", "");
            client.close();
            return;
        }
        String sessionId = person.get().sessionId();
        stream(client, sessionId, () -> person(ctx).map(p -> fragment("approvalsList",
                Map.of("frame", frame(p, "Approvals", "approvals", null, null), "inbox", pages.inbox(p)))));
    }

    // ---- runs ---------------------------------------------------------------------------------------------------

    private void runs(Context ctx) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        Frame frame = frame(person.get(), "Runs", "runs", null, null);
        render(ctx, 200, "runs", Map.of("frame", frame, "runs", pages.runs(person.get(), ctx.queryParam("status"),
                ctx.queryParam("workflow"), ctx.queryParam("agent"), ctx.queryParam("since"),
                ctx.queryParam("cursor"))));
    }

    private void run(Context ctx) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        String runId = ctx.pathParam("runId");
        if (!JsonBody.IDENT.matcher(runId).matches()) {
            throw new Refused(404, "No such run.");
        }
        ConsoleViews.RunPage run = pages.run(person.get(), runId);
        render(ctx, 200, "run", Map.of("frame", frame(person.get(), "Run " + runId, "runs", null, null),
                "run", run));
    }

    private void runLive(SseClient client) {
        Context ctx = client.ctx();
        headers(ctx);
        Optional<Person> person = person(ctx);
        String runId = ctx.pathParam("runId");
        if (person.isEmpty() || !JsonBody.IDENT.matcher(runId).matches()) {
            client.sendEvent("signed-out", "");
            client.close();
            return;
        }
        AtomicReference<String> lastVersion = new AtomicReference<>("");
        stream(client, person.get().sessionId(), () -> person(ctx).flatMap(p -> {
            String version = pages.runVersion(p, runId);
            if (version.equals(lastVersion.get())) {
                return Optional.of("");
            }
            lastVersion.set(version);
            return Optional.of(fragment("runLive", Map.of("run", pages.run(p, runId))));
        }));
    }

    /**
     * Keeps a server-sent event stream open and, once a period, sends an {@code update} event with the rendered
     * part when it differs from the last one sent (an empty render means "unchanged"). Sends {@code signed-out}
     * and closes when the session has ended.
     */
    private void stream(SseClient client, String sessionId, java.util.function.Supplier<Optional<String>> render) {
        client.keepAlive();
        AtomicReference<String> last = new AtomicReference<>("");
        long[] lastSentNanos = {System.nanoTime()};
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        Runnable tick = () -> {
            if (client.terminated()) {
                ScheduledFuture<?> self = task.get();
                if (self != null) {
                    self.cancel(false);
                }
                return;
            }
            try {
                if (sessions.find(sessionId).isEmpty()) {
                    client.sendEvent("signed-out", "");
                    client.close();
                    return;
                }
                Optional<String> html = render.get();
                if (html.isEmpty()) {
                    client.sendEvent("signed-out", "");
                    client.close();
                } else if (!html.get().isEmpty() && !html.get().equals(last.get())) {
                    last.set(html.get());
                    client.sendEvent("update", html.get());
                    lastSentNanos[0] = System.nanoTime();
                } else if (System.nanoTime() - lastSentNanos[0] > LIVE_REFRESH.toNanos()) {
                    client.sendComment("still here");
                    lastSentNanos[0] = System.nanoTime();
                }
            } catch (ProjectorClient.Failure | Refused e) {
                client.sendEvent("problem", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("console live update failed: {}", e.toString());
                client.sendEvent("problem", "Live updates paused; retrying.");
            }
        };
        task.set(live.scheduleWithFixedDelay(tick, 0, LIVE_PERIOD.toMillis(), TimeUnit.MILLISECONDS));
        client.onClose(() -> {
            ScheduledFuture<?> scheduled = task.get();
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        });
    }

    // ---- admin --------------------------------------------------------------------------------------------------

    private void identities(Context ctx) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        requireAdmin(ctx, person.get());
        identitiesPage(ctx, person.get(), 200, null, null, null, null);
    }

    private void identitiesPage(Context ctx, Person person, int status, String notice, String problem,
                                String createdName, String createdKey) {
        List<ConsoleViews.IdentityRow> rows = new ArrayList<>();
        for (Identity identity : deps.identities().all()) {
            rows.add(new ConsoleViews.IdentityRow(identity.getPrincipalId(), identity.getName(),
                    identity.getKind().name().toLowerCase(Locale.ROOT), identity.getTenantId(),
                    String.join(", ", identity.getRoles()), identity.getEnabled()));
        }
        render(ctx, status, "identities", Map.of("frame", frame(person, "Identities", "identities", notice, problem),
                "page", new ConsoleViews.Identities(rows, createdName, createdKey)));
    }

    private void createIdentity(Context ctx) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        requireAdmin(ctx, person.get());
        checkForm(ctx, person.get().session().csrf());
        String name = Optional.ofNullable(ctx.formParam("name")).map(String::trim).orElse("");
        String kind = Optional.ofNullable(ctx.formParam("kind")).orElse("");
        String tenant = Optional.ofNullable(ctx.formParam("tenant")).map(String::trim).orElse("");
        List<String> roles = Arrays.stream(Optional.ofNullable(ctx.formParam("roles")).orElse("").split("[,\\s]+"))
                .map(String::trim).filter(r -> !r.isEmpty()).distinct().toList();
        String problem = null;
        if (name.isEmpty() || name.length() > 128) {
            problem = "Give the identity a name of 1 to 128 characters.";
        } else if (!List.of("agent", "human", "service").contains(kind)) {
            problem = "Choose whether the identity is an agent, a person or a service.";
        } else if (!JsonBody.IDENT.matcher(tenant).matches()) {
            problem = "The tenant must be 1-128 of A-Z a-z 0-9 . _ : @ / -";
        } else if (roles.size() > 32 || roles.stream().anyMatch(r -> !JsonBody.IDENT.matcher(r).matches())) {
            problem = "Roles are up to 32 names of A-Z a-z 0-9 . _ : @ / -, separated by commas.";
        }
        if (problem != null) {
            identitiesPage(ctx, person.get(), 400, null, problem, null, null);
            return;
        }
        IdentityAdmin.Created created = deps.identityAdmin().create(name,
                PrincipalKind.valueOf(kind.toUpperCase(Locale.ROOT)), tenant, roles);
        deps.identities().apply(created.identity(), created.offset());
        LOG.info("identity {} created in tenant {} by {} (console)", created.principalId(), tenant,
                person.get().principal().principalId());
        identitiesPage(ctx, person.get(), 201, "Created " + name + " (" + created.principalId() + ").", null, name,
                created.apiKey());
    }

    private void disableIdentity(Context ctx) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        requireAdmin(ctx, person.get());
        checkForm(ctx, person.get().session().csrf());
        String principalId = ctx.pathParam("principalId");
        Identity current = deps.identities().byPrincipalId(principalId)
                .orElseThrow(() -> new Refused(404, "No such identity."));
        if (current.getEnabled()) {
            IdentityAdmin.Written written = deps.identityAdmin().disable(current);
            deps.identities().apply(written.identity(), written.offset());
            sessions.closeAll(principalId);
            LOG.info("identity {} disabled by {} (console)", principalId, person.get().principal().principalId());
        }
        if (principalId.equals(person.get().principal().principalId())) {
            ctx.redirect(BASE + "/sign-in?ended=1", HttpStatus.SEE_OTHER);
            return;
        }
        identitiesPage(ctx, person.get(), 200, "Disabled " + current.getName() + " (" + principalId + ").", null,
                null, null);
    }

    private void killSwitches(Context ctx) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        requireAdmin(ctx, person.get());
        killSwitchesPage(ctx, person.get(), 200, null, null);
    }

    private void killSwitchesPage(Context ctx, Person person, int status, String notice, String problem) {
        List<ConsoleViews.KillSwitchRow> rows = new ArrayList<>();
        for (KillSwitch s : deps.killSwitches().all()) {
            rows.add(new ConsoleViews.KillSwitchRow(KillSwitchAdmin.key(s.getScope(), s.getTarget()),
                    s.getScope().name().toLowerCase(Locale.ROOT), s.getTarget(), s.getEngaged(), s.getReason(),
                    ConsolePages.time(s.getUpdatedAt()), s.getUpdatedBy()));
        }
        render(ctx, status, "killSwitches", Map.of("frame",
                frame(person, "Kill switches", "kill-switches", notice, problem),
                "page", new ConsoleViews.KillSwitches(rows)));
    }

    private void engageKillSwitch(Context ctx) {
        writeKillSwitch(ctx, true);
    }

    private void liftKillSwitch(Context ctx) {
        writeKillSwitch(ctx, false);
    }

    private void writeKillSwitch(Context ctx, boolean engage) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        requireAdmin(ctx, person.get());
        checkForm(ctx, person.get().session().csrf());
        Optional<KillSwitchScope> scope = KillSwitchAdmin.scope(ctx.formParam("scope"));
        String target = Optional.ofNullable(ctx.formParam("target")).map(String::trim).orElse("");
        String reason = Optional.ofNullable(ctx.formParam("reason")).map(String::trim).orElse("");
        String problem = null;
        if (scope.isEmpty()) {
            problem = "Choose a scope: global, tenant, agent or run.";
        } else if (scope.get() != KillSwitchScope.GLOBAL && !JsonBody.IDENT.matcher(target).matches()) {
            problem = "Name the tenant, agent or run the switch applies to.";
        } else if (engage && reason.isEmpty()) {
            problem = "Say why the switch is engaged; the reason is recorded with it.";
        } else if (reason.length() > 2000) {
            problem = "The reason is longer than 2000 characters.";
        }
        if (problem != null) {
            killSwitchesPage(ctx, person.get(), 400, null, problem);
            return;
        }
        KillSwitch written = deps.killSwitchAdmin().write(scope.get(), target, engage, reason,
                person.get().principal().principalId());
        deps.killSwitches().apply(written);
        String key = KillSwitchAdmin.key(scope.get(), written.getTarget());
        LOG.info("kill switch {} {} by {} (console)", key, engage ? "engaged" : "lifted",
                person.get().principal().principalId());
        killSwitchesPage(ctx, person.get(), 200, (engage ? "Engaged " : "Lifted ") + key + ".", null);
    }

    private void policies(Context ctx) {
        Optional<Person> person = requirePerson(ctx);
        if (person.isEmpty()) {
            return;
        }
        requireAdmin(ctx, person.get());
        String viewName = ctx.pathParamMap().get("name");
        String viewVersion = ctx.pathParamMap().get("version");
        List<ConsoleViews.PolicyRow> rows = new ArrayList<>();
        Map<String, PolicyBundle> latest = new LinkedHashMap<>();
        for (PolicyBundle bundle : deps.policies().all()) {
            latest.put(bundle.getName(), bundle);
        }
        String yaml = null;
        for (PolicyBundle bundle : deps.policies().all()) {
            rows.add(new ConsoleViews.PolicyRow(bundle.getName(), bundle.getVersion(), bundle.getSha256(),
                    ConsolePages.time(bundle.getPublishedAt()), bundle.getPublishedBy(),
                    latest.get(bundle.getName()) == bundle));
            if (bundle.getName().equals(viewName) && bundle.getVersion().equals(viewVersion)) {
                yaml = bundle.getYaml();
            }
        }
        if (viewName != null && yaml == null) {
            throw new Refused(404, "No policy bundle " + viewName + " version " + viewVersion + ".");
        }
        render(ctx, 200, "policies", Map.of("frame", frame(person.get(), "Policies", "policies", null, null),
                "page", new ConsoleViews.Policies(rows, viewName, viewVersion, yaml)));
    }
}

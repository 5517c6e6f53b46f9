package dev.tollgate.intake.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.Identity;
import dev.tollgate.events.KillSwitch;
import dev.tollgate.events.KillSwitchScope;
import dev.tollgate.events.PolicyBundle;
import dev.tollgate.events.PrincipalKind;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.http.ApiErrors;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.BodyReader;
import dev.tollgate.intake.http.RateLimiter;
import dev.tollgate.intake.identity.ApiKeys;
import dev.tollgate.intake.identity.IdentityIndex;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/identities}, {@code /v1/kill-switches}, {@code /v1/policies[/{name}/versions]}: admin-only, paged. */
class AdminReadRoutesTest {

    private static final String ADMIN = ApiKeys.generate();
    private static final String HUMAN = ApiKeys.generate();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Javalin server;

    @BeforeAll
    static void start() {
        TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());
        IdentityIndex identities = new IdentityIndex(serdes);
        identities.apply(identity("admin", "system", List.of("admin"), ADMIN, true), 1);
        identities.apply(identity("lead", "acme", List.of("support-lead"), HUMAN, true), 2);
        for (int i = 0; i < 5; i++) {
            identities.apply(identity("agent-" + i, i % 2 == 0 ? "acme" : "globex", List.of(), ApiKeys.generate(),
                    i != 3), 10 + i);
        }
        KillSwitchIndex switches = new KillSwitchIndex(serdes);
        switches.apply(KillSwitch.newBuilder().setScope(KillSwitchScope.GLOBAL).setTarget("*").setEngaged(false)
                .setReason("").setUpdatedAt(Instant.EPOCH).setUpdatedBy("ops").build());
        switches.apply(KillSwitch.newBuilder().setScope(KillSwitchScope.AGENT).setTarget("agent-1").setEngaged(true)
                .setReason("loops").setUpdatedAt(Instant.EPOCH).setUpdatedBy("ops").build());
        PolicyIndex policies = new PolicyIndex(serdes);
        policies.apply(bundle("default", "1", "a"));
        policies.apply(bundle("default", "2", "b"));
        policies.apply(bundle("default", "2", "b"));
        policies.apply(bundle("research", "7", "c"));
        Authenticator auth = new Authenticator(identities, new RateLimiter(1000, 1000, System::nanoTime));
        server = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            new AdminReadRoutes(auth, identities, switches, policies).register(cfg);
            new ApiErrors(new BodyReader(4096), new SimpleMeterRegistry()).register(cfg);
        }).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void listsIdentitiesInPagesWithoutKeyDigests() throws Exception {
        JsonNode first = get("/v1/identities?limit=3", ADMIN, 200);
        assertThat(first.path("identities")).hasSize(3);
        assertThat(first.toString()).doesNotContain("apiKeySha256").doesNotContain(ApiKeys.sha256(HUMAN));
        List<String> ids = new ArrayList<>();
        first.path("identities").forEach(i -> ids.add(i.path("principalId").asText()));
        JsonNode second = get("/v1/identities?limit=3&cursor=" + first.path("nextCursor").asText(), ADMIN, 200);
        second.path("identities").forEach(i -> ids.add(i.path("principalId").asText()));
        JsonNode third = get("/v1/identities?limit=3&cursor=" + second.path("nextCursor").asText(), ADMIN, 200);
        third.path("identities").forEach(i -> ids.add(i.path("principalId").asText()));
        assertThat(third.has("nextCursor")).isFalse();
        assertThat(ids).containsExactly("admin", "agent-0", "agent-1", "agent-2", "agent-3", "agent-4", "lead");
        JsonNode globex = get("/v1/identities?tenant=globex", ADMIN, 200);
        assertThat(globex.path("identities")).extracting(n -> n.path("principalId").asText())
                .containsExactly("agent-1", "agent-3");
        assertThat(globex.path("identities").get(1).path("enabled").asBoolean()).isFalse();
    }

    @Test
    void listsKillSwitchesAndPolicies() throws Exception {
        JsonNode switches = get("/v1/kill-switches", ADMIN, 200);
        assertThat(switches.path("killSwitches")).extracting(n -> n.path("key").asText())
                .containsExactly("agent:agent-1", "global");
        assertThat(switches.path("killSwitches").get(0).path("reason").asText()).isEqualTo("loops");
        JsonNode latest = get("/v1/policies", ADMIN, 200);
        assertThat(latest.path("policies")).extracting(n -> n.path("name").asText() + " " + n.path("version").asText())
                .containsExactly("default 2", "research 7");
        JsonNode versions = get("/v1/policies/default/versions?yaml=true", ADMIN, 200);
        assertThat(versions.path("versions")).extracting(n -> n.path("version").asText()).containsExactly("1", "2");
        assertThat(versions.path("versions").get(0).path("yaml").asText()).contains("name: default");
        JsonNode paged = get("/v1/policies/default/versions?limit=1", ADMIN, 200);
        assertThat(paged.path("versions")).hasSize(1);
        assertThat(get("/v1/policies/default/versions?limit=1&cursor=" + paged.path("nextCursor").asText(), ADMIN,
                200).path("versions").get(0).path("version").asText()).isEqualTo("2");
    }

    @Test
    void refusesNonAdminsAndBadPages() throws Exception {
        assertThat(get("/v1/identities", HUMAN, 403).path("error").path("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(get("/v1/kill-switches", null, 401).path("error").path("code").asText())
                .isEqualTo("UNAUTHENTICATED");
        assertThat(get("/v1/policies", HUMAN, 403).path("error").path("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(get("/v1/policies/nope/versions", ADMIN, 404).path("error").path("code").asText())
                .isEqualTo("NOT_FOUND");
        assertThat(get("/v1/identities?limit=0", ADMIN, 400).path("error").path("field").asText()).isEqualTo("limit");
        assertThat(get("/v1/identities?cursor=zzz", ADMIN, 400).path("error").path("field").asText())
                .isEqualTo("cursor");
    }

    private static JsonNode get(String path, String key, int status) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private static Identity identity(String id, String tenant, List<String> roles, String key, boolean enabled) {
        return Identity.newBuilder().setPrincipalId(id).setName(id)
                .setKind(roles.isEmpty() ? PrincipalKind.AGENT : PrincipalKind.HUMAN).setTenantId(tenant)
                .setRoles(roles).setApiKeySha256(ApiKeys.sha256(key)).setEnabled(enabled)
                .setCreatedAt(Instant.EPOCH).setUpdatedAt(Instant.EPOCH).build();
    }

    private static PolicyBundle bundle(String name, String version, String sha) {
        return PolicyBundle.newBuilder().setName(name).setVersion(version).setSha256(sha.repeat(64))
                .setYaml("metadata: {name: " + name + ", version: \"" + version + "\"}\n")
                .setPublishedAt(Instant.EPOCH).setPublishedBy("test").build();
    }
}

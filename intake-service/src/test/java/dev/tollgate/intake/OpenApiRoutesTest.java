package dev.tollgate.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.api.OpenApiDocument;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.intake.admin.AdminReadRoutes;
import dev.tollgate.intake.admin.KillSwitchAdmin;
import dev.tollgate.intake.admin.KillSwitchIndex;
import dev.tollgate.intake.admin.PolicyAdmin;
import dev.tollgate.intake.admin.PolicyIndex;
import dev.tollgate.intake.http.Authenticator;
import dev.tollgate.intake.http.RateLimiter;
import dev.tollgate.intake.identity.IdentityAdmin;
import dev.tollgate.intake.identity.IdentityIndex;
import dev.tollgate.intake.kafka.KafkaSettings;
import dev.tollgate.intake.kafka.Publisher;
import dev.tollgate.intake.ledger.LedgerWatcher;
import dev.tollgate.intake.ledger.ProjectorLookup;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document against the routes intake really registers (every feature of {@link IntakeRoutes} and the
 * admin read routes; the console's HTML pages are not part of the API document): every
 * route is documented as an intake operation, every documented intake operation is a route; and
 * {@code GET /openapi.json} serves the document.
 */
class OpenApiRoutesTest {

    private static final Set<HandlerType> METHODS = Set.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
            HandlerType.DELETE, HandlerType.PATCH);

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedIntakeRouteExists() throws Exception {
        IntakeConfig config = IntakeConfig.of(Map.of("bootstrap.servers", "localhost:1", "http.port", "0"));
        TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());
        Set<String> registered = new TreeSet<>();
        try (Publisher publisher = new Publisher(KafkaSettings.producer(config, "openapi-test"), serdes)) {
            Clock clock = Clock.systemUTC();
            IntakeRoutes.Deps deps = new IntakeRoutes.Deps(config, new IdentityIndex(serdes),
                    new IdentityAdmin(publisher, clock), new LedgerWatcher(serdes, 10, 10), publisher,
                    new KillSwitchAdmin(publisher, clock), new PolicyAdmin(publisher, clock),
                    new RateLimiter(10, 10, System::nanoTime), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    () -> true, clock, ProjectorLookup.NONE);
            Javalin app = Javalin.create(cfg -> {
                cfg.events.handlerAdded(handler -> {
                    if (METHODS.contains(handler.getHttpMethod())) {
                        registered.add(handler.getHttpMethod().name() + " " + handler.getPath());
                    }
                });
                IntakeRoutes.register(cfg, deps);
                // Registered next to the features by IntakeApp (the console's HTML routes are no part of the API).
                new AdminReadRoutes(new Authenticator(deps.identities(), deps.rateLimiter()), deps.identities(),
                        new KillSwitchIndex(serdes), new PolicyIndex(serdes)).register(cfg);
            });
            app.start(0);
            try {
                assertThat(registered).contains("POST /v1/runs", "GET /openapi.json");
                JsonNode document = new ObjectMapper().readTree(OpenApiDocument.json());
                assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
                assertThat(registered).isEqualTo(documented(document, "intake"));
                HttpResponse<String> served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + "/openapi.json")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(served.statusCode()).isEqualTo(200);
                assertThat(new ObjectMapper().readTree(served.body())).isEqualTo(document);
            } finally {
                app.stop();
            }
        }
    }

    /** {@code METHOD /path} of every operation the document assigns to {@code service}. */
    static Set<String> documented(JsonNode document, String service) {
        Set<String> operations = new TreeSet<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            boolean served = false;
            for (JsonNode name : operation.getValue().path("x-tollgate-services")) {
                served |= name.asText().equals(service);
            }
            if (served) {
                operations.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return operations;
    }
}

package dev.tollgate.projector.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.events.api.OpenApiDocument;
import dev.tollgate.events.health.HealthRoutes;
import dev.tollgate.events.health.ServiceHealth;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document against the routes the query API registers: every route is documented as a query
 * operation, every documented query operation is a route.
 */
class QueryApiOpenApiTest {

    private static final Set<HandlerType> METHODS = Set.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
            HandlerType.DELETE, HandlerType.PATCH);

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedQueryRouteExists() throws Exception {
        Set<String> registered = new TreeSet<>();
        QueryApi api = new QueryApi(null, null, Duration.ofSeconds(1),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        Javalin app = api.start("127.0.0.1", 0, cfg -> {
            cfg.events.handlerAdded(handler -> {
                if (METHODS.contains(handler.getHttpMethod())) {
                    registered.add(handler.getHttpMethod().name() + " " + handler.getPath());
                }
            });
            // As ProjectorApp starts it: the service's health routes next to the query API.
            HealthRoutes.register(cfg, new ServiceHealth("projector"));
        });
        try {
            JsonNode document = new ObjectMapper().readTree(OpenApiDocument.json());
            assertThat(registered).contains("GET /v1/runs/{runId}/events", "GET /openapi.json");
            assertThat(registered).isEqualTo(documented(document));
        } finally {
            app.stop();
        }
    }

    private static Set<String> documented(JsonNode document) {
        Set<String> operations = new TreeSet<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            for (JsonNode service : operation.getValue().path("x-tollgate-services")) {
                if (service.asText().equals("query")) {
                    operations.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
            }
        }));
        return operations;
    }
}

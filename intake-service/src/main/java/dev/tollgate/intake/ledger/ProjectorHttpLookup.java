package dev.tollgate.intake.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.ledger.model.HeldCallView;
import dev.tollgate.ledger.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link ProjectorLookup} over the projector's HTTP query API, each lookup one bounded GET. */
public final class ProjectorHttpLookup implements ProjectorLookup {

    private final String baseUrl;
    private final Duration timeout;
    private final HttpClient http;

    /** @param baseUrl the projector's query API, e.g. {@code http://projector:8082} */
    public ProjectorHttpLookup(String baseUrl, Duration timeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public Optional<RunOwner> runOwner(String runId, String authorization) {
        HttpResponse<String> response = get("/v1/runs/" + encode(runId), authorization);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        JsonNode run = body(response);
        return Optional.of(new RunOwner(run.path("tenantId").asText(), run.path("principalId").asText()));
    }

    @Override
    public List<HeldCallView> heldCalls(String callId, String runId, String authorization) {
        String query = runId == null ? "" : "?runId=" + encode(runId);
        JsonNode body = body(get("/v1/held-calls/" + encode(callId) + query, authorization));
        List<HeldCallView> out = new ArrayList<>();
        for (JsonNode held : body.path("heldCalls")) {
            out.add(Json.MAPPER.convertValue(held, HeldCallView.class));
        }
        return out;
    }

    private HttpResponse<String> get(String path, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Unavailable("the projector at " + baseUrl + " is unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while asking the projector");
        }
    }

    private JsonNode body(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new Unavailable("the projector at " + baseUrl + " answered " + response.statusCode());
        }
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new Unavailable("the projector at " + baseUrl + " answered with invalid JSON");
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

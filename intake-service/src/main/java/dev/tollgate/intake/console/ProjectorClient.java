package dev.tollgate.intake.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Reads run data for the console from the ledger projector's query API (DESIGN.md, ledger-projector routes),
 * server-side, with the signed-in person's own API key: the projector applies the same tenant isolation as it does
 * to any API caller, so the console shows nothing the person could not read with curl.
 */
final class ProjectorClient {

    /** The projector answered with an error, or could not be reached. */
    static final class Failure extends RuntimeException {
        private final int status;

        Failure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String baseUrl;
    private final HttpClient http;

    ProjectorClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    String baseUrl() {
        return baseUrl;
    }

    /** GET a path with query parameters (null values left out); the JSON body of a 200. */
    JsonNode get(String apiKey, String path, Map<String, String> query) {
        StringJoiner params = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                params.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path + params))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "application/json")
                .GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Failure(503, "the ledger query API at " + baseUrl + " cannot be reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(503, "interrupted while reading the ledger query API");
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new Failure(503, "the ledger query API answered something that is not JSON");
        }
        if (response.statusCode() != 200) {
            String message = body.path("error").path("message").asText("HTTP " + response.statusCode());
            throw new Failure(response.statusCode(), message);
        }
        return body;
    }

    JsonNode get(String apiKey, String path) {
        return get(apiKey, path, Map.of());
    }
}

package dev.tollgate.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small HTTP client for route tests: one {@link HttpClient}, JSON answers parsed when they are JSON. */
final class HttpApi {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** An answer: status, headers (first value), raw body and the body as JSON (null when not JSON). */
    record Answer(int status, HttpResponse<String> raw, String body, JsonNode json) {
        String errorCode() {
            return json == null ? null : json.path("error").path("code").asText(null);
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    HttpApi(int port) {
        this.base = "http://localhost:" + port;
    }

    HttpClient client() {
        return client;
    }

    String base() {
        return base;
    }

    Answer get(String path, String apiKey) {
        return send("GET", path, apiKey, null, Map.of());
    }

    Answer post(String path, String apiKey, String body) {
        return send("POST", path, apiKey, body, Map.of());
    }

    Answer put(String path, String apiKey, String body) {
        return send("PUT", path, apiKey, body, Map.of());
    }

    Answer delete(String path, String apiKey) {
        return send("DELETE", path, apiKey, null, Map.of());
    }

    Answer send(String method, String path, String apiKey, String body, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (apiKey != null) {
            all.put("Authorization", "Bearer " + apiKey);
        }
        return send(method, URI.create(base + path), all,
                body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    Answer send(String method, URI uri, Map<String, String> headers, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).method(method, body);
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = client.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response, response.body(), parse(response.body()));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? null : MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}

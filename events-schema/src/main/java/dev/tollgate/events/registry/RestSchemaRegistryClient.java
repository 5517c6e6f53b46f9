package dev.tollgate.events.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A client of any registry that speaks the Confluent Schema Registry REST API (Confluent's own, or the embedded
 * one of {@code embedded-kafka}). Registrations and lookups are cached; only the first use of a schema or id
 * goes over the network.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int ATTEMPTS = 2;

    private final URI baseUri;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(10));
    }

    public RestSchemaRegistryClient(String baseUrl, Duration timeout) {
        String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.baseUri = URI.create(trimmed.split(",")[0].trim());
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public String baseUrl() {
        return baseUri.toString();
    }

    @Override
    public int register(String subject, Schema schema) {
        String canonical = CanonicalSchema.of(schema);
        return idsBySubjectAndSchema.computeIfAbsent(subject + '\0' + canonical, key -> {
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("schema", canonical);
            JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions", body.toString());
            int id = answer.path("id").asInt(-1);
            if (id < 0) {
                throw new SchemaRegistryException(200, -1, "registry answered without an id: " + answer);
            }
            schemasById.putIfAbsent(id, new Schema.Parser().parse(canonical));
            return id;
        });
    }

    @Override
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, key -> {
            JsonNode answer = call("GET", "/schemas/ids/" + key, null);
            return new Schema.Parser().parse(answer.path("schema").asText());
        });
    }

    @Override
    public List<String> subjects() {
        JsonNode answer = call("GET", "/subjects", null);
        List<String> subjects = new ArrayList<>();
        answer.forEach(node -> subjects.add(node.asText()));
        return subjects;
    }

    private JsonNode call(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUri.resolve(baseUri.getPath() + path))
                .timeout(timeout)
                .header("Accept", CONTENT_TYPE + ", application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        HttpResponse<String> response = send(request.build());
        JsonNode json;
        try {
            json = MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException(response.statusCode(), -1,
                    "schema registry answered " + method + " " + path + " with a body that is not JSON");
        }
        if (response.statusCode() / 100 != 2) {
            throw new SchemaRegistryException(response.statusCode(), json.path("error_code").asInt(-1),
                    "schema registry refused " + method + " " + path + ": " + json.path("message").asText());
        }
        return json;
    }

    /**
     * Sends {@code request}, once more after an I/O failure. Every call of this client is idempotent (registering
     * a schema the subject has returns its id again), and the usual failure is benign: the registry closed an idle
     * keep-alive connection just as the client reused it ("header parser received no bytes").
     */
    private HttpResponse<String> send(HttpRequest request) {
        IOException failure = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (HttpTimeoutException e) {
                throw new SchemaRegistryException("schema registry at " + baseUri + " did not answer within "
                        + timeout + ": " + e, e);
            } catch (IOException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted calling the schema registry", e);
            }
        }
        throw new SchemaRegistryException("schema registry at " + baseUri + " unreachable: " + failure, failure);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

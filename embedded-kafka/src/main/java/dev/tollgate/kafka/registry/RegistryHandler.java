package dev.tollgate.kafka.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of the Confluent Schema Registry REST API that Confluent's clients use, over a {@link SchemaStore}.
 * Every answer is JSON of type {@code application/vnd.schemaregistry.v1+json}; errors have Confluent's shape
 * {@code {"error_code": ..., "message": ...}}, and any unknown path is a JSON 404 (newer clients probe routes such
 * as {@code /associations} and fall back only on a 404).
 */
final class RegistryHandler implements HttpHandler {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = LoggerFactory.getLogger(RegistryHandler.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final SchemaStore store;

    RegistryHandler(SchemaStore store) {
        this.store = store;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status = 200;
            JsonNode answer;
            try {
                answer = route(exchange.getRequestMethod(), segments(exchange.getRequestURI().getRawPath()),
                        query(exchange.getRequestURI().getRawQuery()), exchange);
            } catch (RegistryException e) {
                status = e.httpStatus();
                answer = error(e.errorCode(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("Schema registry failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                status = 500;
                answer = error(50001, "Internal error: " + e);
            }
            byte[] body = MAPPER.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private JsonNode route(String method, List<String> path, Map<String, String> query, HttpExchange exchange)
            throws IOException {
        int size = path.size();
        String first = size > 0 ? path.get(0) : "";
        if (size == 0) {
            allow(method, "GET");
            return MAPPER.createObjectNode();
        }
        if (first.equals("schemas")) {
            if (size == 2 && path.get(1).equals("types")) {
                allow(method, "GET");
                return MAPPER.createArrayNode().add("AVRO");
            }
            if (size >= 3 && size <= 4 && path.get(1).equals("ids")) {
                allow(method, "GET");
                return schemaById(schemaId(path.get(2)), size == 4 ? path.get(3) : null);
            }
        } else if (first.equals("subjects")) {
            if (size == 1) {
                allow(method, "GET");
                return strings(store.subjects());
            }
            String subject = path.get(1);
            if (size == 2) {
                allow(method, "POST");
                return describe(store.lookup(subject, schemaText(exchange)));
            }
            if (path.get(2).equals("versions")) {
                if (size == 3 && method.equals("POST")) {
                    return MAPPER.createObjectNode().put("id", store.register(subject, schemaText(exchange)));
                }
                allow(method, "GET");
                if (size == 3) {
                    ArrayNode versions = MAPPER.createArrayNode();
                    store.versions(subject).forEach(versions::add);
                    return versions;
                }
                SchemaStore.SchemaVersion version = store.version(subject, path.get(3));
                if (size == 4) {
                    return describe(version);
                }
                if (size == 5 && path.get(4).equals("schema")) {
                    return MAPPER.readTree(version.schema());
                }
            }
        } else if (first.equals("config")) {
            if (size <= 2) {
                return config(method, size == 2 ? path.get(1) : null, query, exchange);
            }
        } else if (first.equals("compatibility")) {
            if ((size == 4 || size == 5) && path.get(1).equals("subjects") && path.get(3).equals("versions")) {
                allow(method, "POST");
                List<String> problems = store.checkCompatibility(path.get(2), size == 5 ? path.get(4) : null,
                        schemaText(exchange));
                ObjectNode answer = MAPPER.createObjectNode().put("is_compatible", problems.isEmpty());
                if (Boolean.parseBoolean(query.get("verbose"))) {
                    answer.set("messages", strings(problems));
                }
                return answer;
            }
        }
        throw notFound();
    }

    private JsonNode schemaById(int id, String part) throws IOException {
        if (part == null) {
            return MAPPER.createObjectNode().put("schema", store.schemaById(id));
        }
        return switch (part) {
            case "schema" -> MAPPER.readTree(store.schemaById(id));
            case "subjects" -> strings(store.usesOf(id).stream().map(SchemaStore.SchemaVersion::subject)
                    .distinct().toList());
            case "versions" -> {
                ArrayNode uses = MAPPER.createArrayNode();
                store.usesOf(id).forEach(v -> uses.addObject().put("subject", v.subject()).put("version", v.version()));
                yield uses;
            }
            default -> throw notFound();
        };
    }

    private JsonNode config(String method, String subject, Map<String, String> query, HttpExchange exchange)
            throws IOException {
        if (method.equals("PUT")) {
            JsonNode body = body(exchange);
            Compatibility level = Compatibility.parse(body.path("compatibility").asText(null));
            store.setLevel(subject, level);
            return MAPPER.createObjectNode().put("compatibility", level.name());
        }
        allow(method, "GET");
        Compatibility level;
        if (subject == null) {
            level = store.globalLevel();
        } else if (Boolean.parseBoolean(query.get("defaultToGlobal"))) {
            level = store.subjectLevel(subject).orElse(store.globalLevel());
        } else {
            level = store.subjectLevel(subject).orElseThrow(() -> new RegistryException(404, 40408,
                    "Subject '" + subject + "' does not have subject-level compatibility configured"));
        }
        return MAPPER.createObjectNode().put("compatibilityLevel", level.name());
    }

    private static String schemaText(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new RegistryException(422, 42201, "Invalid schema: schemaType " + type
                    + " is not supported by the embedded registry (AVRO only)");
        }
        if (body.path("references").size() > 0) {
            throw new RegistryException(422, 42201, "Invalid schema: schema references are not supported by the "
                    + "embedded registry");
        }
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new RegistryException(422, 42201, "Invalid schema: the body has no \"schema\" string");
        }
        return schema.asText();
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new RegistryException(413, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
            }
            JsonNode body = MAPPER.readTree(bytes);
            if (body == null || !body.isObject()) {
                throw new RegistryException(400, 400, "The request body must be a JSON object");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw new RegistryException(400, 400, "The request body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static ObjectNode describe(SchemaStore.SchemaVersion version) {
        return MAPPER.createObjectNode().put("subject", version.subject()).put("version", version.version())
                .put("id", version.id()).put("schema", version.schema());
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    /** Refuses any method but {@code expected} with a JSON 405. */
    private static void allow(String method, String expected) {
        if (!method.equals(expected)) {
            throw new RegistryException(405, 405, "HTTP 405 Method Not Allowed");
        }
    }

    private static int schemaId(String segment) {
        try {
            return Integer.parseInt(segment);
        } catch (NumberFormatException e) {
            throw RegistryException.schemaNotFound(segment);
        }
    }

    private static RegistryException notFound() {
        return new RegistryException(404, 404, "HTTP 404 Not Found");
    }

    private static ObjectNode error(int code, String message) {
        return MAPPER.createObjectNode().put("error_code", code).put("message", message);
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.put(key, eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }
}

package dev.tollgate.intake.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed JSON object request body with typed, validating accessors. Every failure is an {@link ApiException}
 * with {@code INVALID_JSON}, {@code FIELD_REQUIRED} or {@code FIELD_INVALID}, so no body can produce a 500.
 */
public final class JsonBody {

    /** Shared mapper: strict about trailing tokens and duplicate keys, bounded nesting. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(200).maxStringLength(64 << 20).maxNumberLength(1000).build());
    }

    /** Names, tools, stages, call ids: printable and short. */
    public static final Pattern IDENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}");

    private final ObjectNode root;

    private JsonBody(ObjectNode root) {
        this.root = root;
    }

    /** Parses a body that must be one JSON object. */
    public static JsonBody parse(String text) {
        if (text == null || text.isBlank()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "the request body must be a JSON object");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "the request body is not valid JSON: "
                    + abbreviate(e.getOriginalMessage()));
        } catch (RuntimeException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "the request body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "the request body must be a JSON object");
        }
        return new JsonBody((ObjectNode) node);
    }

    public ObjectNode root() {
        return root;
    }

    /** A required non-blank string of at most {@code maxLength} characters. */
    public String requiredString(String field, int maxLength) {
        return optionalString(field, maxLength).orElseThrow(() -> ApiException.fieldRequired(field));
    }

    /** A required string matching {@link #IDENT}. */
    public String requiredIdent(String field) {
        String value = requiredString(field, 128);
        if (!IDENT.matcher(value).matches()) {
            throw ApiException.fieldInvalid(field, "must be 1-128 of A-Z a-z 0-9 . _ : @ / - (starting alphanumeric)");
        }
        return value;
    }

    /** An optional string; absent or JSON null is empty; present but blank or not a string is invalid. */
    public Optional<String> optionalString(String field, int maxLength) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw ApiException.fieldInvalid(field, "must be a string");
        }
        String value = node.textValue();
        if (value.isBlank()) {
            throw ApiException.fieldRequired(field);
        }
        if (value.length() > maxLength) {
            throw ApiException.fieldInvalid(field, "must be at most " + maxLength + " characters");
        }
        if (value.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t' && c != '\r')) {
            throw ApiException.fieldInvalid(field, "must not contain control characters");
        }
        return Optional.of(value);
    }

    /** A required non-negative integer. */
    public long requiredNonNegativeLong(String field) {
        return optionalNonNegativeLong(field).orElseThrow(() -> ApiException.fieldRequired(field));
    }

    public Optional<Long> optionalNonNegativeLong(String field) {
        return optionalNonNegativeLong(root, field, field);
    }

    static Optional<Long> optionalNonNegativeLong(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw ApiException.fieldInvalid(path, "must be a non-negative integer");
        }
        return Optional.of(node.longValue());
    }

    /** A required JSON value of any type but null. */
    public JsonNode requiredValue(String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw ApiException.fieldRequired(field);
        }
        return node;
    }

    /** An optional JSON object, empty when absent or null. */
    public Optional<ObjectNode> optionalObject(String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw ApiException.fieldInvalid(field, "must be a JSON object");
        }
        return Optional.of((ObjectNode) node);
    }

    /** An optional array of identifier strings, empty when absent. */
    public List<String> identList(String field, int maxItems) {
        JsonNode node = root.get(field);
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw ApiException.fieldInvalid(field, "must be an array of strings");
        }
        if (node.size() > maxItems) {
            throw ApiException.fieldInvalid(field, "must have at most " + maxItems + " items");
        }
        for (JsonNode item : node) {
            if (!item.isTextual() || !IDENT.matcher(item.textValue()).matches()) {
                throw ApiException.fieldInvalid(field, "must hold identifiers (A-Z a-z 0-9 . _ : @ / -)");
            }
            if (!out.contains(item.textValue())) {
                out.add(item.textValue());
            }
        }
        return out;
    }

    /** JSON text of a value, as stored in commands. */
    public static String toText(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "the value cannot be written as JSON");
        }
    }

    private static String abbreviate(String message) {
        if (message == null) {
            return "";
        }
        String oneLine = message.replaceAll("\\s+", " ");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}

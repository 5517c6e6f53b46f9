package dev.tollgate.policy.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.policy.engine.GateSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stage-gate validators: {@code required-fields} ({@code fields}: each present, not null and not blank in a JSON
 * object), {@code json-schema} ({@code schema}, draft 2020-12), {@code max-bytes} ({@code max}, UTF-8 bytes) and
 * {@code no-pii} (email addresses, phone numbers, card numbers that pass the Luhn check, API-key-like secrets).
 * A finding names what was found and where (a character offset), never the matched text: findings go to the ledger.
 */
public final class Validators {

    private static final Pattern EMAIL = Pattern.compile(
            "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}"
                    + "(?:\\.[A-Za-z0-9-]{1,63})*\\.[A-Za-z]{2,24}");
    /** International (+CC ...) or North-American style with separators, so bare ids and amounts do not match. */
    private static final Pattern PHONE = Pattern.compile(
            "(?<![\\w+])(?:\\+\\d{1,3}[ .-]?(?:\\(\\d{1,4}\\)[ .-]?)?\\d{1,4}(?:[ .-]?\\d{2,4}){2,4}"
                    + "|\\(\\d{3}\\)[ .-]?\\d{3}[ .-]\\d{4}|\\d{3}[.-]\\d{3}[.-]\\d{4})(?![\\w])");
    private static final Pattern CARD = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d-])");
    private static final Pattern SECRET = Pattern.compile(
            "(?:sk-(?:proj-)?[A-Za-z0-9_-]{20,}|sk_(?:live|test)_[A-Za-z0-9]{16,}|AKIA[0-9A-Z]{16}"
                    + "|gh[pousr]_[A-Za-z0-9]{36,}|xox[abprs]-[A-Za-z0-9-]{10,}|tg_[A-Za-z0-9_-]{40,}"
                    + "|-----BEGIN [A-Z ]*PRIVATE KEY-----|AIza[0-9A-Za-z_-]{35}"
                    + "|(?i:(?:api[_-]?key|secret|token|password|passwd)[\"']?\\s*[:=]\\s*[\"']?)"
                    + "[A-Za-z0-9_./+=-]{16,})");
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12, builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .formatAssertionsEnabled(true).build()));
    private static final Map<String, Schema> COMPILED = new ConcurrentHashMap<>();

    private Validators() {
    }

    /** The findings of one gate over an artifact's content; empty when it passes. */
    public static List<String> validate(GateSpec gate, String content) {
        return switch (gate.validator()) {
            case "required-fields" -> requiredFields(gate.params().path("fields"), content);
            case "json-schema" -> jsonSchema(gate.params().path("schema"), content);
            case "max-bytes" -> maxBytes(gate.params().path("max").asLong(-1), content);
            case "no-pii" -> noPii(content);
            default -> List.of("unknown validator " + gate.validator());
        };
    }

    static List<String> requiredFields(JsonNode fields, String content) {
        JsonNode json = parse(content);
        if (json == null || !json.isObject()) {
            return List.of("artifact is not a JSON object");
        }
        List<String> findings = new ArrayList<>();
        for (JsonNode field : fields) {
            JsonNode value = json.get(field.asText());
            if (value == null || value.isNull()) {
                findings.add("missing required field " + field.asText());
            } else if (value.isTextual() && value.asText().isBlank()) {
                findings.add("required field " + field.asText() + " is blank");
            }
        }
        return findings;
    }

    static List<String> jsonSchema(JsonNode schemaNode, String content) {
        JsonNode json = parse(content);
        if (json == null) {
            return List.of("artifact is not JSON");
        }
        Schema schema;
        try {
            schema = COMPILED.computeIfAbsent(schemaNode.toString(), text -> SCHEMAS.getSchema(schemaNode));
        } catch (RuntimeException e) {
            return List.of("the gate's schema does not compile: " + e.getMessage());
        }
        List<String> findings = new ArrayList<>();
        for (Error error : schema.validate(json)) {
            findings.add("schema: " + error.toString());
        }
        return findings;
    }

    static List<String> maxBytes(long max, String content) {
        long size = content.getBytes(StandardCharsets.UTF_8).length;
        return size > max ? List.of("artifact is " + size + " bytes; the gate allows " + max) : List.of();
    }

    static List<String> noPii(String content) {
        List<String> findings = new ArrayList<>();
        find(EMAIL, content, "email address", findings);
        find(PHONE, content, "phone number", findings);
        Matcher cards = CARD.matcher(content);
        while (cards.find()) {
            String digits = cards.group().replaceAll("[ -]", "");
            if (digits.length() >= 13 && digits.length() <= 19 && luhn(digits)) {
                findings.add("card number at character " + cards.start());
            }
        }
        find(SECRET, content, "API key or secret", findings);
        return findings;
    }

    private static void find(Pattern pattern, String content, String what, List<String> findings) {
        Matcher matcher = pattern.matcher(content);
        while (matcher.find()) {
            findings.add(what + " at character " + matcher.start());
        }
    }

    /** The Luhn checksum of a string of digits. */
    static boolean luhn(String digits) {
        int sum = 0;
        boolean doubled = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (doubled) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }

    private static JsonNode parse(String content) {
        try {
            return CanonicalJson.parse(content);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

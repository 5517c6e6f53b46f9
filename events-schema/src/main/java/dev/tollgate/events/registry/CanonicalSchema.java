package dev.tollgate.events.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

/**
 * The form in which Tollgate registers schemas: Avro's JSON with Java-only properties ({@code avro.java.string})
 * removed, so a Python or Go producer registering the same .avsc finds the same schema and id.
 */
public final class CanonicalSchema {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String JAVA_STRING = "avro.java.string";

    private CanonicalSchema() {
    }

    public static String of(Schema schema) {
        return of(schema.toString());
    }

    public static String of(String schemaJson) {
        try {
            JsonNode node = MAPPER.readTree(schemaJson);
            strip(node);
            return new Schema.Parser().setValidateDefaults(false).parse(MAPPER.writeValueAsString(node)).toString();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("schema is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static Schema parse(String schemaJson) {
        return new Schema.Parser().parse(of(schemaJson));
    }

    private static void strip(JsonNode node) {
        if (node.isObject()) {
            ((ObjectNode) node).remove(JAVA_STRING);
            node.forEach(CanonicalSchema::strip);
        } else if (node.isArray()) {
            node.forEach(CanonicalSchema::strip);
        }
    }
}

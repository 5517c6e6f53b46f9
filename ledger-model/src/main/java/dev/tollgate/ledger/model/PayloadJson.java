package dev.tollgate.ledger.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * Renders an Avro record as plain JSON over its fields, in schema order: strings, numbers and booleans as
 * themselves, enums by name, timestamps as ISO-8601, nested records as objects, nulls as {@code null}. Unlike
 * Avro's own JSON encoding there is no union wrapping, so clients read {@code "ruleId": "r1"}, not
 * {@code "ruleId": {"string": "r1"}}.
 */
public final class PayloadJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PayloadJson() {
    }

    /** The record as a JSON object. */
    public static ObjectNode of(IndexedRecord record) {
        ObjectNode node = NODES.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), value(record.get(field.pos())));
        }
        return node;
    }

    private static JsonNode value(Object value) {
        if (value == null) {
            return NODES.nullNode();
        } else if (value instanceof IndexedRecord record) {
            return of(record);
        } else if (value instanceof CharSequence text) {
            return NODES.textNode(text.toString());
        } else if (value instanceof Long number) {
            return NODES.numberNode(number);
        } else if (value instanceof Integer number) {
            return NODES.numberNode(number);
        } else if (value instanceof Double number) {
            return NODES.numberNode(number);
        } else if (value instanceof Float number) {
            return NODES.numberNode(number);
        } else if (value instanceof Boolean flag) {
            return NODES.booleanNode(flag);
        } else if (value instanceof Instant instant) {
            return NODES.textNode(instant.toString());
        } else if (value instanceof Enum<?> symbol) {
            return NODES.textNode(symbol.name());
        } else if (value instanceof GenericEnumSymbol<?> symbol) {
            return NODES.textNode(symbol.toString());
        } else if (value instanceof ByteBuffer bytes) {
            ByteBuffer copy = bytes.duplicate();
            byte[] raw = new byte[copy.remaining()];
            copy.get(raw);
            return NODES.textNode(Base64.getEncoder().encodeToString(raw));
        } else if (value instanceof Collection<?> items) {
            ArrayNode array = NODES.arrayNode();
            items.forEach(item -> array.add(value(item)));
            return array;
        } else if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((k, v) -> object.set(String.valueOf(k), value(v)));
            return object;
        }
        return NODES.textNode(value.toString());
    }
}

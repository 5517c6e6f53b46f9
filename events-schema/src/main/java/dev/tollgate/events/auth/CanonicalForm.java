package dev.tollgate.events.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.hash.CanonicalJson;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The bytes a {@link dev.tollgate.events.Proof} covers: {@code tollgate-proof-v1\n} followed by the canonical JSON
 * (sorted keys, no white space) of the record, where every record carries its full name as {@code @type}, times are
 * epoch milliseconds, bytes are Base64, a field whose value equals its schema default is left out, and the
 * top-level {@code proof} keeps its scheme, key id and signer but not its signature. Leaving defaults out keeps a
 * proof valid when the schema gains a field with a default (the only change the schema rules allow): a producer on
 * the older schema and a verifier on the newer one compute the same bytes.
 */
public final class CanonicalForm {

    static final String PREFIX = "tollgate-proof-v1\n";
    static final String PROOF_FIELD = "proof";
    private static final String TYPE = "@type";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CanonicalForm() {
    }

    /** The signed bytes of a record that has a top-level {@code proof} field. */
    public static byte[] bytes(IndexedRecord record) {
        return (PREFIX + CanonicalJson.writeSorted(node(record, true))).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The record as a tree whose keys are already in canonical (sorted) order, so it is written without another
     * sorting copy: a record's fields are visited in the order {@link Layout} sorted them once per schema.
     */
    private static ObjectNode node(IndexedRecord record, boolean top) {
        Layout layout = Layout.of(record);
        ObjectNode out = NODES.objectNode();
        for (Layout.Field field : layout.fields) {
            if (field == null) {
                out.put(TYPE, layout.fullName);
                continue;
            }
            Object value = record.get(field.pos);
            if (top && field.name.equals(PROOF_FIELD)) {
                if (value instanceof IndexedRecord proof) {
                    ObjectNode covered = node(proof, false);
                    covered.remove("signature");
                    out.set(PROOF_FIELD, covered);
                }
                continue;
            }
            JsonNode node = value(value, field.schema);
            if (field.defaultNode != null && node.equals(field.defaultNode)) {
                continue;
            }
            out.set(field.name, node);
        }
        return out;
    }

    /**
     * A record schema's fields in canonical key order ({@code @type}, a null entry, sorted among them), each with the
     * canonical tree of its default. Computed once per generated record class: asking Avro for a default on every
     * signature hashes the whole schema.
     */
    private static final class Layout {
        private static final ClassValue<Layout> BY_CLASS = new ClassValue<>() {
            @Override
            protected Layout computeValue(Class<?> type) {
                return new Layout(SpecificData.get().getSchema(type));
            }
        };

        final String fullName;
        final List<Field> fields;

        private Layout(Schema schema) {
            this.fullName = schema.getFullName();
            List<String> names = new ArrayList<>();
            names.add(TYPE);
            Map<String, Field> byName = new HashMap<>();
            for (Schema.Field field : schema.getFields()) {
                names.add(field.name());
                byName.put(field.name(), new Field(field.name(), field.pos(), field.schema(), field.hasDefaultValue()
                        ? value(GenericData.get().getDefaultValue(field), field.schema()) : null));
            }
            Collections.sort(names);
            List<Field> ordered = new ArrayList<>(names.size());
            for (String name : names) {
                ordered.add(byName.get(name));
            }
            this.fields = Collections.unmodifiableList(ordered);
        }

        static Layout of(IndexedRecord record) {
            if (record instanceof SpecificRecord) {
                Layout layout = BY_CLASS.get(record.getClass());
                if (layout.fullName.equals(record.getSchema().getFullName())) {
                    return layout;
                }
            }
            return new Layout(record.getSchema());
        }

        record Field(String name, int pos, Schema schema, JsonNode defaultNode) {
        }
    }

    private static JsonNode value(Object value, Schema schema) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case UNION:
                return value(value, schema.getTypes().get(GenericData.get().resolveUnion(schema, value)));
            case RECORD:
                return node((IndexedRecord) value, false);
            case ARRAY: {
                ArrayNode out = NODES.arrayNode();
                for (Object item : (Collection<?>) value) {
                    out.add(value(item, schema.getElementType()));
                }
                return out;
            }
            case MAP: {
                TreeMap<String, Object> sorted = new TreeMap<>();
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    sorted.put(entry.getKey().toString(), entry.getValue());
                }
                ObjectNode out = NODES.objectNode();
                sorted.forEach((key, item) -> out.set(key, value(item, schema.getValueType())));
                return out;
            }
            case BYTES:
                if (value instanceof BigDecimal decimal) {
                    return NODES.textNode(decimal.toPlainString());
                }
                ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            case FIXED:
                return NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()));
            case INT:
            case LONG:
                if (value instanceof Instant instant) {
                    return NODES.numberNode(instant.toEpochMilli());
                }
                return NODES.numberNode(((Number) value).longValue());
            case FLOAT:
            case DOUBLE:
                return NODES.numberNode(new BigDecimal(value.toString()));
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case NULL:
                return NODES.nullNode();
            case ENUM:
            case STRING:
            default:
                return NODES.textNode(value instanceof GenericContainer ? value.toString() : String.valueOf(value));
        }
    }
}

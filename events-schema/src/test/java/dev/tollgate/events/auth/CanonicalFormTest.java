package dev.tollgate.events.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.Command;
import dev.tollgate.events.Proof;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.ToolCallDispatch;
import dev.tollgate.events.hash.CanonicalJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;

/**
 * The canonical form builds each record's keys in sorted order from a per-class layout instead of sorting a copy of
 * the tree: these tests hold it to the bytes of the straightforward algorithm ({@link Reference}: build, sort, write)
 * over random commands and dispatches, so no signature made before the change stops verifying.
 */
class CanonicalFormTest {

    @Test
    void randomCommandsAndDispatchesHaveTheBytesOfTheSortingAlgorithm() throws IOException {
        int compared = 0;
        for (Schema schema : new Schema[] {Command.getClassSchema(), ToolCallDispatch.getClassSchema()}) {
            long seed = 20261206L;
            for (Object generic : new RandomData(GenericData.get(), schema, 300, seed)) {
                IndexedRecord record = specific(schema, generic);
                assertThat(new String(CanonicalForm.bytes(record), StandardCharsets.UTF_8))
                        .isEqualTo(new String(Reference.bytes(record), StandardCharsets.UTF_8));
                compared++;
            }
        }
        assertThat(compared).isEqualTo(600);
    }

    @Test
    void fieldsAtTheirDefaultAreLeftOutAndTheSignatureIsNotCovered() {
        Command command = Command.newBuilder().setCommandId("c-1").setRunId("r-1").setTenantId("acme")
                .setPrincipalId("p-1").setIssuedAt(Instant.ofEpochMilli(1_000)).setTraceparent(null)
                .setPayload(RequestToolCall.newBuilder().setCallId("call-1").setTool("fs.read")
                        .setArgsJson("{\"path\":\"/tmp/ü\"}").build())
                .setProof(Proof.newBuilder().setScheme("hmac-sha256").setKeyId("k1").setSignerId("intake")
                        .setSignature("c2ln").build())
                .build();
        String text = new String(CanonicalForm.bytes(command), StandardCharsets.UTF_8);

        assertThat(text).startsWith("tollgate-proof-v1\n{\"@type\":\"dev.tollgate.events.Command\",\"commandId\"")
                .doesNotContain("traceparent").doesNotContain("c2ln").contains("\"keyId\":\"k1\"");
        assertThat(text).isEqualTo(new String(Reference.bytes(command), StandardCharsets.UTF_8));
        Command withOtherSignature = Command.newBuilder(command)
                .setProof(Proof.newBuilder(command.getProof()).setSignature("b3RoZXI=").build()).build();
        assertThat(CanonicalForm.bytes(withOtherSignature)).isEqualTo(CanonicalForm.bytes(command));
    }

    /** A generic random record read back as the generated class (so logical types become Instants). */
    private static IndexedRecord specific(Schema schema, Object generic) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<>(schema).write(generic, encoder);
        encoder.flush();
        return new SpecificDatumReader<IndexedRecord>(schema)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }

    /** The canonical form as first written: build the tree in schema order, sort a copy, write it. */
    private static final class Reference {
        private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

        static byte[] bytes(IndexedRecord record) {
            return (CanonicalForm.PREFIX + CanonicalJson.write(node(record, true))).getBytes(StandardCharsets.UTF_8);
        }

        private static ObjectNode node(IndexedRecord record, boolean top) {
            ObjectNode out = NODES.objectNode();
            out.put("@type", record.getSchema().getFullName());
            for (Schema.Field field : record.getSchema().getFields()) {
                Object value = record.get(field.pos());
                if (top && field.name().equals(CanonicalForm.PROOF_FIELD)) {
                    if (value instanceof IndexedRecord proof) {
                        ObjectNode covered = node(proof, false);
                        covered.remove("signature");
                        out.set(CanonicalForm.PROOF_FIELD, covered);
                    }
                    continue;
                }
                JsonNode node = value(value, field.schema());
                if (field.hasDefaultValue()
                        && node.equals(value(GenericData.get().getDefaultValue(field), field.schema()))) {
                    continue;
                }
                out.set(field.name(), node);
            }
            return out;
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
                    for (Iterator<?> it = ((Collection<?>) value).iterator(); it.hasNext(); ) {
                        out.add(value(it.next(), schema.getElementType()));
                    }
                    return out;
                }
                case MAP: {
                    ObjectNode out = NODES.objectNode();
                    for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                        out.set(entry.getKey().toString(), value(entry.getValue(), schema.getValueType()));
                    }
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
                default:
                    return NODES.textNode(value instanceof GenericContainer ? value.toString()
                            : String.valueOf(value));
            }
        }
    }
}

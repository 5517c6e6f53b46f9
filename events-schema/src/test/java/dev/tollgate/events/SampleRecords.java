package dev.tollgate.events;

import dev.tollgate.events.serde.AvroBinary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Deterministic sample records for any generated class, built from its schema: every field populated, optional
 * (nullable) fields set, enums on their first real symbol. The top-level {@code payload} union can be pinned to a
 * branch so that every command and ledger event type gets a sample.
 */
final class SampleRecords {

    static final long BASE_MILLIS = 1_795_000_000_000L;

    private SampleRecords() {
    }

    static <T extends SpecificRecord> T sample(Class<T> type, long seed) {
        return sample(type, seed, -1);
    }

    /** A sample whose top-level {@code payload} union is its {@code payloadBranch}-th branch (-1: the first). */
    static <T extends SpecificRecord> T sample(Class<T> type, long seed, int payloadBranch) {
        Schema schema = SpecificData.get().getSchema(type);
        Object generic = value(schema, new Random(seed), payloadBranch, true);
        return AvroBinary.decode(encodeGeneric(schema, generic), type);
    }

    static int payloadBranches(Class<? extends SpecificRecord> type) {
        return SpecificData.get().getSchema(type).getField("payload").schema().getTypes().size();
    }

    private static byte[] encodeGeneric(Schema schema, Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            new GenericDatumWriter<>(schema, GenericData.get()).write(value, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Object value(Schema schema, Random random, int payloadBranch, boolean topLevel) {
        switch (schema.getType()) {
            case RECORD: {
                GenericData.Record record = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
                    Schema fieldSchema = field.schema();
                    if (topLevel && field.name().equals("payload") && fieldSchema.getType() == Schema.Type.UNION) {
                        int branch = Math.max(payloadBranch, 0);
                        record.put(field.pos(), value(fieldSchema.getTypes().get(branch), random, -1, false));
                    } else {
                        record.put(field.pos(), value(fieldSchema, random, -1, false));
                    }
                }
                return record;
            }
            case ENUM:
                return new GenericData.EnumSymbol(schema, schema.getEnumSymbols().get(
                        Math.min(1 + random.nextInt(3), schema.getEnumSymbols().size() - 1)));
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    list.add(value(schema.getElementType(), random, -1, false));
                }
                return list;
            }
            case MAP: {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("k" + random.nextInt(100), value(schema.getValueType(), random, -1, false));
                return map;
            }
            case UNION: {
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return value(branch, random, -1, false);
                    }
                }
                return null;
            }
            case STRING:
                return "s" + Integer.toHexString(random.nextInt(1 << 20));
            case BYTES:
                return ByteBuffer.wrap(new byte[] {1, 2, (byte) random.nextInt(256)});
            case INT:
                return random.nextInt(1000);
            case LONG:
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return BASE_MILLIS + random.nextInt(1_000_000);
                }
                return random.nextLong() >>> 20;
            case BOOLEAN:
                return random.nextBoolean();
            case DOUBLE:
                return random.nextDouble();
            case FLOAT:
                return random.nextFloat();
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException("no sample for " + schema.getType());
        }
    }
}

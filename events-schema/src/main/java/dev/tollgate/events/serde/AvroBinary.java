package dev.tollgate.events.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary encoding of generated records, without any wire-format header. This is the body that the
 * ledger hash chain covers. Datum writers and readers are cached (they are safe to share between threads, as
 * Confluent's serializers also rely on).
 */
public final class AvroBinary {

    private static final ClassValue<SpecificDatumWriter<SpecificRecord>> WRITERS = new ClassValue<>() {
        @Override
        protected SpecificDatumWriter<SpecificRecord> computeValue(Class<?> type) {
            AvroTrust.ensure();
            return new SpecificDatumWriter<>(SpecificData.get().getSchema(type));
        }
    };
    private static final Map<ReaderKey, DatumReader<?>> READERS = new ConcurrentHashMap<>();

    private record ReaderKey(Schema writer, Class<?> type) {
    }

    private AvroBinary() {
    }

    public static byte[] encode(SpecificRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(record, out);
        return out.toByteArray();
    }

    static void write(SpecificRecord record, ByteArrayOutputStream out) {
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            WRITERS.get(record.getClass()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes a body written with {@code writerSchema} into the generated class {@code type}. */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T decode(byte[] body, int offset, int length, Schema writerSchema,
                                                      Class<T> type) {
        AvroTrust.ensure();
        DatumReader<T> reader = (DatumReader<T>) READERS.computeIfAbsent(new ReaderKey(writerSchema, type),
                key -> new SpecificDatumReader<>(writerSchema, SpecificData.get().getSchema(type)));
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(body, offset, length, null);
        try {
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new IllegalArgumentException("trailing bytes after the Avro " + type.getSimpleName());
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException("cannot decode Avro " + type.getSimpleName() + ": " + e, e);
        }
    }

    public static <T extends SpecificRecord> T decode(byte[] body, Class<T> type) {
        return decode(body, 0, body.length, SpecificData.get().getSchema(type), type);
    }
}
